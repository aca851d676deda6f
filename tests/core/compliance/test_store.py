"""Stored findings on a real library: what a check stores, when it checks again, waivers (undoable,
audited), approvals, and a missing media file as a finding rather than a failed job.

The tests lean on a brand rule they add themselves (banned words, a check that exists), so they
stay right as the shipped rules grow."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from studio.core.assets import importer
from studio.core.compliance import store
from studio.core.db.models import AuditEvent, Campaign, ComplianceCheckRow, ComplianceFindingRow, WaiverRow
from studio.core.errors import BadInput, Cancelled
from studio.core.jobs import JobState
from studio.core.ops.compositions import create_composition
from studio.core.ops.copy import set_copy
from studio.core.ops.organize import find_or_create_campaign
from studio.core.queries import list_assets
from studio.core.timeline.model import Composition, TextClip, Track
from tests import media

BANNED = {"id": "brand.banned", "check": "brand_words", "params": {"banned": ["cheap"]}, "platforms": ["*"],
          "fields": ["headline", "description", "image_text"], "severity": "error",
          "message": "“{excerpt}” is a word the brand does not use.", "hint": "Say “great value” instead."}


def add_brand_rule(lib, campaign_id: int, document: dict) -> None:
    with lib.read() as conn:
        brand_id = conn.execute(select(Campaign.brand_id).where(Campaign.id == campaign_id)).scalar()
    with lib.write("Add brand rule") as tx:
        tx.insert("brand_rules", brand_id=brand_id, document=document)


def events(lib, action: str) -> list:
    with lib.read() as conn:
        return conn.execute(select(AuditEvent.details).where(AuditEvent.action == action).order_by(AuditEvent.id)).scalars().all()


def copy_target(lib, campaign_id: int, text: str) -> str:
    from studio.core.db.models import AdCopyRow

    with lib.read() as conn:
        return f"copy:{conn.execute(select(AdCopyRow.id).where(AdCopyRow.campaign_id == campaign_id, AdCopyRow.text == text)).scalar()}"


@pytest.fixture
def campaign(lib) -> int:
    campaign_id = find_or_create_campaign(lib, "Spring")
    add_brand_rule(lib, campaign_id, BANNED)
    set_copy(lib, campaign_id, "headline", ["Cheap tulips", "Fresh tulips"])
    return campaign_id


def banned(findings) -> list:
    return [f for f in findings if f.finding.rule_id == "brand.banned"]


def test_a_check_stores_each_finding_with_its_span_once_for_a_rule_every_platform_shares(lib, campaign):
    result = store.recheck_campaign(lib, campaign, JobState())
    assert result["targets"] == 2 and result["rechecked"] == 2 and result["errors"] >= 1
    found = banned(store.campaign_findings(lib, campaign))
    assert len(found) == 1  # the rule is for every platform: one finding, not five
    f = found[0]
    assert f.target == copy_target(lib, campaign, "Cheap tulips")
    assert (f.finding.span, f.finding.excerpt, f.finding.platform, f.finding.field) == ((0, 5), "Cheap", None, "headline")
    assert f.finding.message == "“Cheap” is a word the brand does not use." and not f.waived and f.blocking
    assert banned(store.blocking_findings(lib, campaign)) == found
    check = events(lib, "Compliance check")[-1]
    assert check["campaign_id"] == campaign and check["errors"] == result["errors"] and len(check["rechecked"]) == 2


def test_only_what_changed_is_checked_again_and_findings_of_gone_copy_are_dropped(lib, campaign):
    store.recheck_campaign(lib, campaign, JobState())
    before = {f.id for f in store.campaign_findings(lib, campaign)}
    again = store.recheck_campaign(lib, campaign, JobState())
    assert again["rechecked"] == 0 and {f.id for f in store.campaign_findings(lib, campaign)} == before
    checks = len(events(lib, "Compliance check"))
    store.recheck_campaign(lib, campaign, JobState())
    assert len(events(lib, "Compliance check")) == checks  # nothing changed: no event either

    old = set(store.campaign_targets(lib, campaign))
    set_copy(lib, campaign, "headline", ["Tulips by the armful"])  # the banned word is gone, and a row with it
    new = set(store.campaign_targets(lib, campaign))
    result = store.recheck_campaign(lib, campaign, JobState())
    assert result["rechecked"] == 1 and banned(store.campaign_findings(lib, campaign)) == []
    with lib.read() as conn:
        stored = set(conn.execute(select(ComplianceCheckRow.target)).scalars())
    assert stored == new and old - new  # the gone row's findings went with it
    assert events(lib, "Compliance check")[-1]["dropped"] == sorted(old - new)


def test_a_new_brand_rule_makes_the_copy_be_checked_again(lib, campaign):
    store.recheck_campaign(lib, campaign, JobState())
    add_brand_rule(lib, campaign, {**BANNED, "id": "brand.fresh", "params": {"banned": ["fresh"]}})
    result = store.recheck_campaign(lib, campaign, JobState())
    assert result["rechecked"] == 2
    assert [f.finding.excerpt for f in store.campaign_findings(lib, campaign) if f.finding.rule_id == "brand.fresh"] == ["Fresh"]


def test_a_cancelled_check_stores_nothing(lib, campaign):
    state = JobState()
    state.cancel()
    with pytest.raises(Cancelled):
        store.recheck_campaign(lib, campaign, state)
    with lib.read() as conn:
        assert conn.execute(select(func.count()).select_from(ComplianceFindingRow)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(ComplianceCheckRow)).scalar() == 0


def test_recheck_target_checks_one_item_and_forgets_a_deleted_one(lib, campaign):
    target = copy_target(lib, campaign, "Cheap tulips")
    result = store.recheck_target(lib, target)
    assert result["targets"] == 1 and len(banned(store.findings_for(lib, [target]))) == 1
    assert store.unchecked_targets(lib, store.campaign_targets(lib, campaign)) == [copy_target(lib, campaign, "Fresh tulips")]
    set_copy(lib, campaign, "headline", [])
    assert store.recheck_target(lib, target) == {"target": target, "rechecked": 0}
    assert store.findings_for(lib, [target]) == []
    with pytest.raises(BadInput, match="copy:<id>, asset:<id> or composition:<id>"):
        store.recheck_target(lib, "headline 3")


def test_a_compositions_text_clips_are_checked_as_text_in_the_picture(lib, campaign):
    clip = TextClip(text="So cheap!", start=0, duration=24)
    comp = Composition(name="Teaser", width=720, height=1280, fps=(24, 1), duration=24, tracks=[Track(kind="text", clips=[clip])])
    comp_id = create_composition(lib, comp, campaign).value
    store.recheck_campaign(lib, campaign, JobState())
    found = banned(store.findings_for(lib, [f"composition:{comp_id}"]))
    assert [(f.finding.field, f.finding.span, f.clip) for f in found] == [("image_text", (3, 8), clip.id)]
    assert store.describe_target(lib, f"composition:{comp_id}") == "Composition Teaser"


def test_a_missing_or_unreadable_media_file_is_a_finding_not_a_failed_job(lib, campaign, tmp_path):
    photos = [media.jpeg(tmp_path / "gone.jpg"), media.jpeg(tmp_path / "broken.jpg", seed=1)]
    report = importer.run(importer.ImportParams(str(lib.root), [str(p) for p in photos], campaign), JobState(), lib=lib)
    ids = {row["name"]: row["id"] for row in report.imported}
    for asset in list_assets(lib, ids=list(ids.values())):
        path = lib.media_path(asset.sha256, asset.ext)
        if asset.name == "gone.jpg":
            path.unlink()
        else:
            path.chmod(0o644)
            path.write_text("not a picture any more")
    store.recheck_campaign(lib, campaign, JobState())
    [gone] = store.findings_for(lib, [f"asset:{ids['gone.jpg']}"])
    assert (gone.finding.rule_id, gone.finding.severity) == ("media.missing", "error")
    assert "gone.jpg" in gone.finding.message and "re-import" in gone.finding.hint
    [broken] = store.findings_for(lib, [f"asset:{ids['broken.jpg']}"])
    assert (broken.finding.rule_id, broken.finding.severity, broken.finding.field) == ("media.unreadable", "error", "image")
    assert broken.finding.message.startswith("broken.jpg could not be checked:")


def test_a_waiver_needs_a_reason_and_a_name_unblocks_the_error_and_undoes(lib, campaign):
    store.recheck_campaign(lib, campaign, JobState())
    finding = banned(store.blocking_findings(lib, campaign))[0]
    waivers_before = len(events(lib, "Waive brand.banned"))
    for reason, name, missing in (("", "Ann Lee", "reason"), ("Client asked for it", "  ", "name")):
        with pytest.raises(BadInput, match=f"A {missing} is required"):
            store.waive(lib, finding.fingerprint, reason, name)
    with lib.read() as conn:
        assert conn.execute(select(func.count()).select_from(WaiverRow)).scalar() == 0
    assert len(events(lib, "Waive brand.banned")) == waivers_before

    result = store.waive(lib, finding.fingerprint, "The client's own slogan", "Ann Lee")
    assert "waivers" in result.changes
    assert banned(store.blocking_findings(lib, campaign)) == []
    waived = banned(store.campaign_findings(lib, campaign))[0]
    assert waived.waived and (waived.waiver.reason, waived.waiver.name) == ("The client's own slogan", "Ann Lee")
    details = events(lib, "Waive brand.banned")[-1]
    assert (details["rule"], details["target"], details["reason"], details["name"]) == (
        "brand.banned", finding.target, "The client's own slogan", "Ann Lee")
    with pytest.raises(BadInput, match="already waived"):
        store.waive(lib, finding.fingerprint, "again", "Bo")

    store.recheck_campaign(lib, campaign, JobState())  # a re-check keeps the fingerprint, so the waiver holds
    assert banned(store.blocking_findings(lib, campaign)) == []
    lib.undo.undo()
    assert banned(store.blocking_findings(lib, campaign)) == [finding]
    lib.undo.redo()
    store.unwaive(lib, waived.waiver.id)
    assert len(banned(store.blocking_findings(lib, campaign))) == 1
    assert events(lib, "Withdraw waiver of brand.banned")[-1]["campaign_id"] == campaign
    with pytest.raises(BadInput, match="no waiver 999"):
        store.unwaive(lib, 999)
    with pytest.raises(BadInput, match="no finding"):
        store.waive(lib, "0" * 64, "reason", "name")


def test_an_approval_is_an_audit_event_with_a_name(lib, campaign):
    with pytest.raises(BadInput, match="name is required"):
        store.approve(lib, campaign, "", "fine")
    store.approve(lib, campaign, "Ann Lee", "Ready for launch")
    assert events(lib, "Approved campaign")[-1] == {"campaign_id": campaign, "campaign": "Spring", "name": "Ann Lee",
                                                    "note": "Ready for launch", "blocking_findings": 0}
    with pytest.raises(BadInput, match="no campaign 99"):
        store.approve(lib, 99, "Ann Lee")
