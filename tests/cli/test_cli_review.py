"""`studio review` as a sender and a reviewer run it: export, look at the bundle, reply, import the
reply (twice), and the messages for bad input."""

from __future__ import annotations

import json
import zipfile

from studio.core.briefs.sections import get_brief, list_comments
from studio.core.library import Library
from tests.cli.test_cli import studio
from tests.core.review.conftest import make_sender


def test_review_round_trip_headless(tmp_path, new_library):
    sender = make_sender(new_library, tmp_path / "lib", tmp_path / "files")
    sender.lib.close()
    lib, bundle, reply = tmp_path / "lib", tmp_path / "review.zip", tmp_path / "reply.zip"

    out = studio("review", "export", "--brief", sender.brief_id, "--asset", sender.image_id, "--asset", sender.video_id,
                 "--out", bundle, "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert (info["briefs"], info["assets"], info["path"]) == (1, 2, str(bundle)) and info["size_bytes"] == bundle.stat().st_size

    shown = studio("review", "import", bundle, "--library", tmp_path / "reviewer-lib", "--json")
    assert shown.returncode == 0, shown.stderr
    doc = json.loads(shown.stdout)
    assert doc["kind"] == "bundle" and doc["briefs"] == [{"id": sender.brief_id, "title": "Autumn launch", "status": "draft", "comments": 1, "approvals": 0}]
    assert [a["name"] for a in doc["assets"]] == ["shot.jpg", "spot.mp4"]
    assert "is a review bundle to review (nothing was imported)" in studio("review", "import", bundle, "--library", lib).stdout

    out = studio("review", "reply", bundle, "--reviewer", "Client Carla", "--comment", "Sharper, please.", "--comment", "Love it",
                 "--section", "objective", "--approve", "--note", "Go", "--out", reply)
    assert out.returncode == 0, out.stderr
    out = studio("review", "reply", bundle, "--reviewer", "Client Carla", "--comment", "Agreed", "--reply-to", sender.comment_uid,
                 "--out", tmp_path / "reply2.zip", "--json")
    assert out.returncode == 0, out.stderr

    merged = studio("review", "import", reply, "--library", lib, "--json")
    assert merged.returncode == 0, merged.stderr
    report = json.loads(merged.stdout)
    assert (report["kind"], report["comments_added"], report["decisions_added"]) == ("reply", 2, 1)
    again = studio("review", "import", reply, "--library", lib)
    assert again.returncode == 0 and "0 comment(s) and 0 decision(s) added (2 comment(s) and 1 decision(s) were already here)" in again.stdout
    assert studio("review", "import", tmp_path / "reply2.zip", "--library", lib).returncode == 0
    with Library.open(lib) as opened:
        thread = list_comments(opened, sender.brief_id)
        assert [(c.text, c.section, c.parent_uid) for c in thread[1:]] == [
            ("Sharper, please.", "objective", None), ("Love it", "objective", None), ("Agreed", None, sender.comment_uid)]
        assert [(a.approver, a.decision, a.note) for a in get_brief(opened, sender.brief_id).approvals] == [("Client Carla", "approved", "Go")]


def test_bad_review_input_gets_a_message(tmp_path, new_library):
    sender = make_sender(new_library, tmp_path / "lib", tmp_path / "files")
    sender.lib.close()
    lib, bundle = tmp_path / "lib", tmp_path / "review.zip"
    out = studio("review", "export", "--brief", "42", "--out", bundle, "--library", lib)
    assert out.returncode == 2 and out.stderr.startswith("error: There is no brief 42") and not bundle.exists()
    assert studio("review", "export", "--brief", sender.brief_id, "--out", bundle, "--library", lib).returncode == 0

    out = studio("review", "reply", bundle, "--reviewer", "Carla", "--out", tmp_path / "r.zip")
    assert out.returncode == 2 and "at least one comment" in out.stderr
    out = studio("review", "reply", bundle, "--reviewer", "Carla", "--comment", "x", "--note", "why", "--out", tmp_path / "r.zip")
    assert out.returncode == 2 and "--note goes with a decision" in out.stderr

    with zipfile.ZipFile(bundle) as zin, zipfile.ZipFile(tmp_path / "evil.zip", "w") as zout:
        zout.writestr("manifest.json", zin.read("manifest.json"))
        zout.writestr("../../evil.sh", "rm -rf ~")
    out = studio("review", "import", tmp_path / "evil.zip", "--library", lib)
    assert out.returncode == 2 and "points outside the bundle (path traversal). Nothing was imported" in out.stderr
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    out = studio("review", "import", tmp_path / "junk.zip", "--library", lib)
    assert out.returncode == 2 and "not a zip file" in out.stderr
