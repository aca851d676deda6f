"""Undo and redo over generated sequences of real ops on a real library."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from studio.core import undo as undo_module
from studio.core.assets import importer
from studio.core.db.models import UNDOABLE_TABLES, Base
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.library import Library
from studio.core.ops import assets as asset_ops
from studio.core.ops import organize, settings as settings_ops
from studio.core.queries import client_tree, list_assets
from tests import media

FILES_DIR = Path(tempfile.mkdtemp(prefix="undo-media-"))
FILES = [media.jpeg(FILES_DIR / f"shot{i}.jpg", size=(48, 32), seed=i) for i in range(4)]


def dump(lib) -> dict:
    with lib.read() as conn:
        return {
            name: sorted(map(tuple, conn.execute(select(Base.metadata.tables[name])).all()), key=repr)
            for name in sorted(UNDOABLE_TABLES)
        }


def _ids(lib):
    tree = client_tree(lib)
    brands = [b for c in tree for b in c.brands]
    campaigns = [k for b in brands for k in b.campaigns]
    assets = [a.id for a in list_assets(lib)] + [a.id for a in list_assets(lib, importer_filter_trash())]
    return [c.id for c in tree], [b.id for b in brands], [k.id for k in campaigns], assets


def importer_filter_trash():
    from studio.core.queries import AssetFilter

    return AssetFilter(trashed=True)


def pick(seq, n):
    return seq[n % len(seq)] if seq else None


def apply_op(lib, kind: str, n: int, word: str) -> None:
    clients, brands, campaigns, assets = _ids(lib)
    if kind == "client":
        organize.create_client(lib, f"Client {word}")
    elif kind == "rename_client" and clients:
        organize.rename_client(lib, pick(clients, n), f"Renamed {word}")
    elif kind == "brand" and clients:
        organize.create_brand(lib, pick(clients, n), f"Brand {word}", ["#112233", f"#{n % 999999:06d}"])
    elif kind == "campaign" and brands:
        organize.create_campaign(lib, pick(brands, n), f"Campaign {word}")
    elif kind == "rename_campaign" and campaigns:
        organize.rename_campaign(lib, pick(campaigns, n), f"C {word}")
    elif kind == "delete_campaign" and campaigns:
        organize.delete_campaign(lib, pick(campaigns, n))
    elif kind == "import":
        importer.run(importer.ImportParams(str(lib.root), [str(pick(FILES, n))], pick(campaigns, n)), JobState(), lib=lib)
    elif kind == "tag" and assets:
        asset_ops.add_tag(lib, [pick(assets, n)], f"tag{n % 3}")
    elif kind == "untag" and assets:
        asset_ops.remove_tag(lib, [pick(assets, n)], f"tag{n % 3}")
    elif kind == "move" and assets:
        asset_ops.move_to_campaign(lib, [pick(assets, n)], pick(campaigns, n))
    elif kind == "trash" and assets:
        asset_ops.trash_assets(lib, [pick(assets, n)])
    elif kind == "restore" and assets:
        asset_ops.restore_assets(lib, [pick(assets, n)])
    elif kind == "notes" and assets:
        asset_ops.set_notes(lib, pick(assets, n), f"note {word}")
    elif kind == "setting":
        settings_ops.set_setting(lib, f"k{n % 2}", {"v": word})


KINDS = ["client", "rename_client", "brand", "campaign", "rename_campaign", "delete_campaign", "import",
         "tag", "untag", "move", "trash", "restore", "notes", "setting"]
OPS = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 50), st.text("abcxyz", min_size=1, max_size=6)), min_size=1, max_size=14)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPS)
def test_undo_all_returns_to_the_start_and_redo_all_to_the_end(ops):
    with tempfile.TemporaryDirectory() as tmp, Library.open(Path(tmp) / "lib", auto_backup=False) as lib:
        organize.create_client(lib, "Seed client")
        lib.undo.mark_clean()
        first = dump(lib)
        # the seed op stays on the stack: undo goes back to `first` only by undoing our ops
        depth_before = _depth(lib)
        for kind, n, word in ops:
            before = dump(lib)
            try:
                apply_op(lib, kind, n, word)
            except BadInput:
                assert dump(lib) == before  # a refused op leaves nothing half-written
        last = dump(lib)
        while _depth(lib) > depth_before:
            assert lib.undo.undo() is not None
        assert dump(lib) == first
        assert lib.undo.is_clean()
        while lib.undo.can_redo():
            lib.undo.redo()
        assert dump(lib) == last


def _depth(lib) -> int:
    from studio.core.db.models import UndoEntry

    with lib.read() as conn:
        return len(conn.execute(select(UndoEntry.id).where(UndoEntry.undone.is_(False))).all())


def test_rapid_edits_merge_into_one_step(lib, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(undo_module, "clock", lambda: now[0])
    client = organize.create_client(lib, "Acme").value
    for i, name in enumerate(["A", "Ac", "Acm", "Acme Co"]):
        now[0] += 0.3
        organize.rename_client(lib, client, name)
    assert lib.undo.undo_label() == "Rename client to Acme Co"
    lib.undo.undo()
    assert client_tree(lib)[0].name == "Acme"  # one undo reverses all the typing
    organize.rename_client(lib, client, "Later")
    now[0] += 5  # a pause: a new step
    organize.rename_client(lib, client, "Much later")
    lib.undo.undo()
    assert client_tree(lib)[0].name == "Later"


def test_a_new_op_drops_the_redo_branch(lib):
    organize.create_client(lib, "One")
    organize.create_client(lib, "Two")
    lib.undo.undo()
    assert lib.undo.redo_label() == "New client Two"
    organize.create_client(lib, "Three")
    assert not lib.undo.can_redo()
    assert [c.name for c in client_tree(lib)] == ["One", "Three"]


def test_undo_survives_reopening(tmp_path, new_library):
    with new_library(tmp_path / "lib") as lib:
        organize.create_client(lib, "Kept")
    with Library.open(tmp_path / "lib") as lib:
        assert lib.undo.undo_label() == "New client Kept"
        lib.undo.undo()
        assert client_tree(lib) == []


def test_ops_report_what_changed_and_notify(lib):
    heard = []
    lib.subscribe(heard.append)
    result = organize.create_client(lib, "Acme")
    assert result.changes == frozenset({"clients"}) and isinstance(result.value, int)
    assert heard == [result]
    undo_result = lib.undo.undo()
    assert heard[-1] is undo_result and undo_result.changes == frozenset({"clients"})


def test_bad_names_are_refused_before_writing(lib):
    with pytest.raises(BadInput, match="needs a name"):
        organize.create_client(lib, "   ")
    organize.create_client(lib, "Acme")
    with pytest.raises(BadInput, match="already a client"):
        organize.create_client(lib, "Acme")
    assert [c.name for c in client_tree(lib)] == ["Acme"]


def test_ops_run_in_one_undo_step_are_undone_together(tmp_path, new_library):
    from studio.core.db.models import Brand, Client
    from studio.core.ops.tx import one_undo_step

    def names(lib, model):
        with lib.read() as conn:
            return sorted(conn.execute(select(model.name)).scalars())

    with new_library(tmp_path / "lib") as lib:
        with one_undo_step("Set up the client"):
            client = organize.create_client(lib, "Acme").value
            organize.create_brand(lib, client, "Anvils")
        organize.create_client(lib, "Other")  # after the group: a step of its own
        lib.undo.undo()
        assert names(lib, Client) == ["Acme"] and names(lib, Brand) == ["Anvils"]
        assert lib.undo.undo_label() == "Set up the client"
        lib.undo.undo()
        assert names(lib, Client) == [] and names(lib, Brand) == []
