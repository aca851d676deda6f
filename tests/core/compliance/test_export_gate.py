"""The export gate: a package that holds a compliance error nobody waived is refused; once waived,
it builds, its manifest lists the waiver (and stays reproducible), and the export is audited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from studio.core.compliance import store
from studio.core.db.models import AuditEvent
from studio.core.errors import BadInput
from studio.core.export.manifest import Manifest, sha256
from studio.core.export.package import PackageParams, build_package
from studio.core.jobs import JobState
from studio.core.ops.copy import set_copy
from studio.core.ops.organize import find_or_create_campaign
from tests.core.compliance.test_store import BANNED, add_brand_rule

WARN = {**BANNED, "id": "brand.tone", "params": {"banned": ["tulips"]}, "severity": "warning",
        "message": "“{excerpt}”: say “spring flowers”.", "hint": "The brand says spring flowers."}


@pytest.fixture
def campaign(lib) -> int:
    """Search-ad copy (no media, so the package is copy only), one headline with a banned word."""
    campaign_id = find_or_create_campaign(lib, "Spring")
    add_brand_rule(lib, campaign_id, BANNED)
    add_brand_rule(lib, campaign_id, WARN)
    add_brand_rule(lib, campaign_id, {**BANNED, "id": "brand.meta_only", "platforms": ["meta"], "params": {"banned": ["fresh"]}})
    set_copy(lib, campaign_id, "headline", ["Cheap tulips", "Fresh picks", "Ends Sunday"])
    set_copy(lib, campaign_id, "description", ["Everything for the garden, delivered in two days.", "Free returns for thirty days."])
    set_copy(lib, campaign_id, "final_url", ["https://example.com/spring"])
    set_copy(lib, campaign_id, "headline", ["Save on cheap vases"], scope="meta")  # not in a Google package
    return campaign_id


def package(lib, out: Path) -> dict:
    return build_package(PackageParams(str(lib.root), "Spring", ["google"], str(out), spec_ids=["google.rsa"]), JobState(), lib=lib)


def test_an_unwaived_error_refuses_the_package_and_a_waiver_lets_it_through(lib, campaign, tmp_path):
    with pytest.raises(BadInput) as refused:
        package(lib, tmp_path / "out")
    message = str(refused.value)
    assert "Cheap tulips" in message and "brand.banned" in message and "Waive or fix" in message
    assert "vases" not in message  # the Meta headline is not in a Google package…
    assert "brand.meta_only" not in message  # …nor does a Meta rule count for the Google headline “Fresh picks”
    assert any(f.finding.rule_id == "brand.meta_only" for f in store.blocking_findings(lib, campaign))
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

    error = next(f for f in store.blocking_findings(lib, campaign) if f.finding.excerpt == "Cheap")
    store.waive(lib, error.fingerprint, "The client's slogan since 1998", "Ann Lee")
    result = package(lib, tmp_path / "out")
    manifest = Manifest.loads(Path(result["manifest"]).read_text())
    [waived] = manifest.compliance.waived
    assert (waived.rule_id, waived.excerpt, waived.span, waived.fingerprint) == ("brand.banned", "Cheap", (0, 5), error.fingerprint)
    assert (waived.waiver.reason, waived.waiver.name) == ("The client's slogan since 1998", "Ann Lee")
    assert waived.item == "Headline: Cheap tulips"
    assert ("brand.tone", "tulips") in [(w.rule_id, w.excerpt) for w in manifest.compliance.warnings]
    assert manifest.compliance.rules["brand"] == "3" and len(manifest.compliance.checked) == 6  # 3 headlines, 2 descriptions, the URL

    with lib.read() as conn:
        exported = conn.execute(select(AuditEvent.details).where(AuditEvent.action == "Exported package")).scalars().all()
    assert len(exported) == 1 and exported[0]["manifest_sha256"] == sha256(Path(result["manifest"]))
    assert exported[0]["waived"] == 1


def test_the_compliance_section_keeps_the_manifest_reproducible(lib, campaign, tmp_path):
    store.recheck_campaign(lib, campaign, JobState())
    error = next(f for f in store.blocking_findings(lib, campaign) if f.finding.excerpt == "Cheap")
    store.waive(lib, error.fingerprint, "Slogan", "Ann Lee")
    first, second = (Path(package(lib, tmp_path / name)["manifest"]).read_text() for name in ("a", "b"))
    assert re.sub(r'"created_at": "[^"]+"', "", first) == re.sub(r'"created_at": "[^"]+"', "", second)
