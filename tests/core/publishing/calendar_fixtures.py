"""A real library with a brand, a campaign and channels in two time zones (London and New York),
for the calendar tests. Import the fixture by name: `from ...calendar_fixtures import cal`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from studio.core.ops import organize
from studio.core.ops import publishing as ops

# Far enough ahead to be in the future whenever the tests run; the DST dates are those of 2030.
LONDON_GAP = datetime(2030, 3, 31, 1, 30)  # clocks go 01:00 -> 02:00
LONDON_FOLD = datetime(2030, 10, 27, 1, 30)  # 01:00-02:00 happens twice
NEW_YORK_GAP = datetime(2030, 3, 10, 2, 30)  # 02:00 -> 03:00
NEW_YORK_FOLD = datetime(2030, 11, 3, 1, 30)  # 01:00-02:00 happens twice
MORNING = datetime(2030, 6, 4, 9, 0)


@dataclass(frozen=True)
class Cal:
    lib: object
    brand: int
    campaign: int
    london: int  # channel ids
    new_york: int


@pytest.fixture
def cal(lib) -> Cal:
    brand = organize.create_brand(lib, organize.create_client(lib, "Kestrel").value, "Kestrel Coffee").value
    campaign = organize.create_campaign(lib, brand, "Autumn").value
    london = ops.add_channel(lib, brand, "meta", "Kestrel UK", "2200", "Europe/London").value
    new_york = ops.add_channel(lib, brand, "google", "Kestrel US search", "123-456-7890", "America/New_York").value
    return Cal(lib, brand, campaign, london, new_york)


def approved_post(cal: Cal, title: str = "Launch", *, channel: int | None = None, local_time: datetime = MORNING, **fields) -> int:
    """A post through review and approved (the campaign has no named reviewers)."""
    post = ops.create_post(cal.lib, cal.campaign, channel or cal.london, title, local_time=local_time, **fields).value
    ops.submit_post(cal.lib, post)
    ops.decide_post(cal.lib, post, "Ana", "approved")
    return post
