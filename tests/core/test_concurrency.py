"""Two sessions on one library (as ten creatives share a team library): row versions, lost races
reported instead of lost, undo that respects others' work, the change feed, and migration 0014."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from studio.core.changes import ChangeFeed, Changes, session_of
from studio.core.db import migrate
from studio.core.db.engine import make_engine, sqlite_url
from studio.core.db.models import AuditEvent, ChangeLogRow, CompositionRow, utcnow
from studio.core.errors import ConflictError
from studio.core.library import Library
from studio.core.ops import briefs, organize
from studio.core.ops import compositions as comp_ops
from studio.core.timeline.model import Composition, TextClip, Track, Transition
from studio.core.timeline.store import read_composition
from tests.core.publishing.calendar_fixtures import cal  # noqa: F401 (the fixture)


def new_composition(lib) -> int:
    title = TextClip(text="Autumn Roast", start=0, duration=60)
    comp = Composition(name="Spring 15s", duration=450, tracks=[Track(kind="text", name="Titles", clips=[title])])
    return comp_ops.create_composition(lib, comp).value


def stored(lib, composition_id) -> dict:
    with lib.read() as conn:
        return dict(conn.execute(select(CompositionRow.__table__).where(CompositionRow.id == composition_id)).mappings().one())


def test_the_second_save_of_a_race_is_refused_with_what_the_other_changed_and_nothing_is_lost(lib, other):
    comp_id = new_composition(lib)
    mine, my_version = read_composition(lib, comp_id)
    theirs, their_version = read_composition(other, comp_id)
    assert my_version == their_version == 1
    heard = []
    session_of(lib).on_conflict(heard.append)

    theirs.name = "Bob's cut"
    theirs.tracks[0].clips[0].start = 30
    saved = comp_ops.save_composition(other, comp_id, theirs, "Move title", expected_version=their_version)
    assert saved.version_of("compositions", comp_id) == 2

    mine.duration = 300
    with pytest.raises(ConflictError) as caught:
        comp_ops.save_composition(lib, comp_id, mine, "Shorten", expected_version=my_version)
    conflict = caught.value
    assert heard == [conflict]
    assert (conflict.table, conflict.pk, conflict.by) == ("compositions", [comp_id], "Bob")
    assert "Bob changed this composition \"Bob's cut\"" in str(conflict) and "Keep mine" in str(conflict)
    changed = {f.field: (f.mine, f.theirs, f.theirs_changed, f.kept) for f in conflict.fields}
    assert changed == {  # Keep mine keeps what only Bob changed and lays Alice's change on it
        "name": ("Spring 15s", "Bob's cut", True, "Bob's cut"),
        "document › name": ("Spring 15s", "Bob's cut", True, "Bob's cut"),
        "document › duration": (300, 450, False, 300),
        "document › tracks › Titles › clips › Autumn Roast › start": (0, 30, True, 30),
    }
    # Theirs is stored, untouched; mine is in the error.
    row = stored(lib, comp_id)
    assert (row["name"], row["version"], row["document"]["duration"]) == ("Bob's cut", 2, 450)
    assert conflict.mine["document"]["duration"] == 300

    # Keep mine: one new undoable step on top of theirs, merged with it.
    kept = conflict.keep_mine()
    row = stored(lib, comp_id)
    assert (row["name"], row["version"], row["document"]["duration"]) == ("Bob's cut", 3, 300)
    assert row["document"]["tracks"][0]["clips"][0]["start"] == 30
    assert kept.version_of("compositions", comp_id) == 3
    assert lib.undo.undo_label() == "Shorten (kept mine)"
    lib.undo.undo()
    assert stored(lib, comp_id)["document"]["duration"] == 450

    with lib.read() as conn:
        actors = conn.execute(select(AuditEvent.actor, AuditEvent.action).order_by(AuditEvent.id)).all()
    assert ("Bob", "Move title") in actors and ("Alice", "Shorten (kept mine)") in actors


def test_undo_over_someone_elses_later_change_is_refused_and_each_person_undoes_their_own(lib, other):
    comp_id = new_composition(lib)
    mine, version = read_composition(lib, comp_id)
    mine.duration = 300
    comp_ops.save_composition(lib, comp_id, mine, "Shorten", expected_version=version)
    theirs, version = read_composition(other, comp_id)
    theirs.name = "Bob's cut"
    comp_ops.save_composition(other, comp_id, theirs, "Rename", expected_version=version)

    assert lib.undo.undo_label() == "Shorten" and other.undo.undo_label() == "Rename"
    with pytest.raises(ConflictError) as caught:
        lib.undo.undo()
    assert caught.value.by == "Bob" and caught.value.label == "Undo Shorten"
    assert stored(lib, comp_id)["name"] == "Bob's cut"  # theirs stays
    assert lib.undo.undo_label() == "Shorten"  # nothing was undone

    caught.value.keep_mine()  # the user chose: undo anyway
    row = stored(lib, comp_id)
    assert (row["name"], row["document"]["duration"]) == ("Spring 15s", 450)
    assert lib.undo.redo_label() == "Shorten"


def test_a_brief_section_typed_over_a_colleagues_newer_text_is_refused(lib, other):
    client = organize.create_client(lib, "Acme").value
    brand = organize.create_brand(lib, client, "Roast").value
    brief = briefs.create_brief(lib, brand, "Autumn").value
    text_read, version = briefs.section_versions(lib, brief)["insight"]
    assert (text_read, version) == ("", 1)
    done = briefs.save_section(other, brief, "insight", "Mornings are rushed.", expected_version=version)
    assert done.version_of("brief_sections", (brief, "insight")) == 2
    with pytest.raises(ConflictError) as caught:
        briefs.save_section(lib, brief, "insight", "People love coffee.", expected_version=version)
    assert caught.value.by == "Bob"
    assert [(f.field, f.mine, f.theirs, f.theirs_changed) for f in caught.value.fields] == [
        ("text", "People love coffee.", "Mornings are rushed.", True)]
    assert briefs.section_versions(lib, brief)["insight"] == ("Mornings are rushed.", 2)


def test_the_change_feed_reports_other_sessions_writes_not_its_own(lib, other):
    mine, theirs = ChangeFeed(lib), ChangeFeed(other)
    organize.create_client(lib, "Acme")
    assert mine.poll() is None
    seen = theirs.poll()
    assert (seen.tables, seen.actors) == (frozenset({"clients"}), ("Alice",))
    assert theirs.poll() is None  # each change once

    comp_id = new_composition(other)
    other.undo.undo()  # undo and redo are changes too
    seen = mine.poll()
    assert (seen.tables, seen.actors) == (frozenset({"compositions"}), ("Bob",))
    other.undo.redo()
    assert mine.poll().tables == frozenset({"compositions"})
    assert stored(lib, comp_id)["version"] == 1


def test_a_colleagues_report_import_and_its_removal_reach_the_feed(lib, other, tmp_path):
    from studio.core.analytics.store import list_imports, remove_import
    from tests.core.analytics.test_ingest import ROWS, meta_csv, run_ingest

    mine = ChangeFeed(lib)
    run_ingest(other, meta_csv(tmp_path / "meta.csv", ROWS))
    seen = mine.poll()
    assert "ad_series" in seen.tables and seen.actors == ("Bob",)
    remove_import(other, list_imports(other)[0].id)
    assert "campaign_days" in mine.poll().tables


def test_the_change_log_keeps_a_day(lib):
    with lib.engine.begin() as conn:
        conn.execute(ChangeLogRow.__table__.insert().values(at=utcnow() - timedelta(days=2), session="old", actor="x", tables=[]))
    organize.create_client(lib, "Acme")
    with lib.read() as conn:
        assert conn.execute(select(ChangeLogRow.session)).scalars().all() == [session_of(lib).id]


def test_0014_gives_rows_of_a_0013_library_a_version_and_goes_back(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    engine = make_engine(sqlite_url(root / "library.db"))
    with engine.begin() as conn:
        migrate.upgrade(conn, "0013")
        conn.execute(text("insert into clients(name, created_at) values ('Acme', '2026-01-01 00:00:00')"))
        conn.execute(text("insert into brands(client_id, name, palette, created_at) values (1, 'Roast', '[]', '2026-01-01 00:00:00')"))
        conn.execute(text("insert into campaigns(brand_id, name, created_at) values (1, 'Autumn', '2026-01-01 00:00:00')"))
        conn.execute(text("insert into assets(sha256, kind, name, ext, size_bytes, has_alpha, campaign_id, imported_at) "
                          "values ('ab', 'image', 'shot.jpg', '.jpg', 10, 0, 1, '2026-01-01 00:00:00')"))
    engine.dispose()
    with Library.open(root) as lib:
        with lib.read() as conn:
            assert conn.execute(text("select name, campaign_id, version from assets")).one() == ("shot.jpg", 1, 1)
        organize.rename_client(lib, 1, "Acme Co")
        with lib.read() as conn:
            assert conn.execute(text("select name, version from clients")).one() == ("Acme Co", 2)
            assert conn.execute(text("select actor, tables from change_log")).one()[1] == '["clients"]'
    engine = make_engine(sqlite_url(root / "library.db"))
    with engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0013")
        assert conn.execute(text("select name, campaign_id from assets")).one() == ("shot.jpg", 1)
        assert "version" not in {c["name"] for c in inspect(conn).get_columns("clients")}
        assert not inspect(conn).has_table("change_log")
    engine.dispose()


def test_a_session_does_not_race_itself_but_after_its_undo_a_colleagues_save_counts(lib, other):
    comp_id = new_composition(lib)
    stale, version = read_composition(lib, comp_id)  # an editor of this window, not refreshed yet
    fresh, _ = read_composition(lib, comp_id)
    fresh.name = "From another view"
    comp_ops.save_composition(lib, comp_id, fresh, "Rename")  # the same session (another view, a job)
    stale.duration = 300
    comp_ops.save_composition(lib, comp_id, stale, "Shorten", expected_version=version)  # no conflict with itself
    assert stored(lib, comp_id)["document"]["duration"] == 300

    lib.undo.undo()  # back to version 2; Bob then makes a new version 3
    theirs, their_version = read_composition(other, comp_id)
    theirs.name = "Bob's cut"
    comp_ops.save_composition(other, comp_id, theirs, "Rename", expected_version=their_version)
    stale.duration = 200
    with pytest.raises(ConflictError):
        comp_ops.save_composition(lib, comp_id, stale, "Shorten more", expected_version=2)
    assert stored(lib, comp_id)["name"] == "Bob's cut"


def test_a_post_edited_from_a_stale_view_does_not_undo_a_colleagues_change(lib, other, cal):  # noqa: F811
    from studio.core.ops import publishing as post_ops
    from studio.core.publishing.calendar import get_post

    post_id = post_ops.create_post(lib, cal.campaign, cal.london, "Launch").value
    seen = get_post(lib, post_id)  # Alice opens the post
    post_ops.update_post(other, post_id, expected_version=get_post(other, post_id).version, title="Launch day")  # Bob renames it
    with pytest.raises(ConflictError) as lost:  # Alice's dialog still holds the old title beside her new copy
        post_ops.update_post(lib, post_id, expected_version=seen.version, title=seen.title, copy={"headline": "Roasted today"})
    assert "Bob" in str(lost.value) and get_post(lib, post_id).title == "Launch day"
    assert get_post(lib, post_id).copy == {}


def test_keep_mine_merges_clips_each_side_added_or_moved_and_mine_wins_where_both_moved_one(lib, other):
    comp_id = new_composition(lib)
    mine, version = read_composition(lib, comp_id)
    theirs, their_version = read_composition(other, comp_id)
    theirs.tracks[0].clips.append(TextClip(text="Bob's end card", start=300, duration=60))
    theirs.tracks[0].clips[0].start = 30
    comp_ops.save_composition(other, comp_id, theirs, "Add end card", expected_version=their_version)

    mine.tracks[0].clips.append(TextClip(text="Alice's offer", start=120, duration=60))
    mine.tracks[0].clips[0].start = 10
    with pytest.raises(ConflictError) as lost:
        comp_ops.save_composition(lib, comp_id, mine, "Add offer", expected_version=version)
    start = next(f for f in lost.value.fields if f.field.endswith("Autumn Roast › start"))
    assert (start.mine, start.theirs, start.theirs_changed, start.kept) == (10, 30, True, 10)  # both moved it: mine wins

    lost.value.keep_mine()
    clips = {c["text"]: c["start"] for c in stored(lib, comp_id)["document"]["tracks"][0]["clips"]}
    assert clips == {"Autumn Roast": 10, "Bob's end card": 300, "Alice's offer": 120}


def test_keep_mine_writes_the_whole_of_mine_when_the_merge_would_not_be_a_valid_timeline(lib, other):
    from studio.core.changes import merge

    base = {"a": 1, "items": [{"id": "x", "v": 1}, {"id": "y", "v": 1}]}
    merged, collided = merge(base, {"a": 2, "items": [{"id": "x", "v": 1}]}, {"a": 1, "items": [{"id": "x", "v": 1}, {"id": "y", "v": 5}]})
    assert (merged, collided) == ({"a": 2, "items": [{"id": "x", "v": 1}]}, True)  # mine deleted y, theirs changed it

    first, second = TextClip(text="First", start=0, duration=60), TextClip(text="Second", start=60, duration=60)
    comp = Composition(name="Cut", duration=450, tracks=[Track(kind="text", name="Titles", clips=[first, second])])
    comp_id = comp_ops.create_composition(lib, comp).value
    mine, version = read_composition(lib, comp_id)
    theirs, their_version = read_composition(other, comp_id)
    theirs.tracks[0].clips[1].start = 45  # Bob crossfades the two titles over 15 frames
    theirs.tracks[0].transitions = [Transition(a=first.id, b=second.id, duration=15)]
    comp_ops.save_composition(other, comp_id, theirs, "Crossfade", expected_version=their_version)
    mine.tracks[0].clips[1].start = 100  # Alice moves the second title away: Bob's crossfade cannot stay
    with pytest.raises(ConflictError) as lost:
        comp_ops.save_composition(lib, comp_id, mine, "Move title", expected_version=version)
    lost.value.keep_mine()
    track = stored(lib, comp_id)["document"]["tracks"][0]
    assert ([c["start"] for c in track["clips"]], track["transitions"]) == ([0, 100], [])
    read_composition(lib, comp_id)  # what was written reads back


def test_an_op_run_in_edited_from_refuses_to_overwrite_a_row_a_colleague_changed_or_deleted(lib, other):
    from studio.core.ops.tx import edited_from, row_versions

    client = organize.create_client(lib, "Acme").value
    seen = row_versions(lib, ("clients", client), ("clients", 999))
    assert seen == {("clients", (client,)): 1, ("clients", (999,)): 0}  # 0: not there
    organize.rename_client(other, client, "Acme Co")
    with pytest.raises(ConflictError) as lost, edited_from(seen):
        organize.rename_client(lib, client, "Acme Inc")
    assert (lost.value.by, [(f.field, f.mine, f.theirs) for f in lost.value.fields]) == ("Bob", [("name", "Acme Inc", "Acme Co")])
    organize.rename_client(lib, client, "Acme Ltd")  # outside: a plain save, as from the command line
    with lib.read() as conn:
        assert conn.execute(text("select name from clients")).scalar() == "Acme Ltd"

    seen = row_versions(lib, ("clients", client))
    with edited_from(seen):  # this session's own saves never conflict with each other
        organize.rename_client(lib, client, "One")
        organize.rename_client(lib, client, "Two")
    with other.write("Delete client") as tx:
        tx.delete("clients", client)
    with pytest.raises(ConflictError) as lost, edited_from(seen):
        organize.rename_client(lib, client, "Three")
    assert "Bob deleted this client" in str(lost.value)


def test_writes_outside_the_undo_stack_reach_the_feed_too(lib, other):
    from studio.core.ai.costs import record_call
    from studio.core.compliance.store import recheck_campaign
    from studio.core.jobs import JobState
    from studio.core.ops.copy import set_copy

    brand = organize.create_brand(lib, organize.create_client(lib, "Acme").value, "Roast").value
    campaign = organize.create_campaign(lib, brand, "Autumn").value
    set_copy(lib, campaign, "headline", ["Roasted today"])
    mine = ChangeFeed(lib)
    recheck_campaign(other, campaign, JobState())  # Bob's compliance check rewrites the findings
    assert mine.poll() == Changes(frozenset({"compliance_findings", "compliance_checks"}), ("Bob",))
    record_call(other, provider="anthropic", model="claude-haiku-4-5", purpose="brief", input_tokens=10, output_tokens=5,
                status="done", error=None, started_at=utcnow(), seconds=0.5)
    assert mine.poll().tables == frozenset({"ai_calls"})


def test_a_row_a_colleague_made_or_changed_since_is_neither_overwritten_nor_deleted_silently(lib, other):
    from studio.core.ops.research import set_brand_profile
    from studio.core.ops.tx import edited_from, row_versions

    brand = organize.create_brand(lib, organize.create_client(lib, "Acme").value, "Roast").value
    seen = row_versions(lib, ("brands", brand), ("brand_profiles", brand))  # Alice opens the profile: none yet
    set_brand_profile(other, brand, voice=["Warm"])  # Bob writes the first one
    with pytest.raises(ConflictError) as lost, edited_from(seen):
        set_brand_profile(lib, brand, voice=["Bold"])
    assert lost.value.by == "Bob" and ("voice", ["Bold"], ["Warm"]) in [(f.field, f.mine, f.theirs) for f in lost.value.fields]

    seen = row_versions(lib, ("clients", 1))
    organize.rename_client(other, 1, "Acme Co")
    with pytest.raises(ConflictError) as lost, edited_from(seen), lib.write("Delete client") as tx:
        tx.delete("clients", 1)
    assert "Bob changed this client" in str(lost.value) and "since you opened it" in str(lost.value)
    with lib.read() as conn:
        assert conn.execute(text("select name from clients")).scalar() == "Acme Co"  # still there
    lost.value.keep_mine()  # delete it all the same
    with lib.read() as conn:
        assert conn.execute(text("select count(*) from clients")).scalar() == 0
