"""A real library with a client, a brand and a campaign of it, for the brief tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from studio.core.ops import organize


@dataclass(frozen=True)
class Place:
    brand_id: int
    campaign_id: int


@pytest.fixture
def place(lib) -> Place:
    client = organize.create_client(lib, "Acme").value
    brand = organize.create_brand(lib, client, "Roast", ["#112233"]).value
    return Place(brand, organize.create_campaign(lib, brand, "Autumn").value)
