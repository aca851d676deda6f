"""Writing a review bundle from a real library and opening it again: what it holds, its proxies,
Cancel, and every way a bundle can be bad (tampered, traversal, oversized, not a bundle at all)."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile

import av
import pytest
from PIL import Image
from sqlalchemy import select

from studio.core.db.models import AuditEvent, Setting
from studio.core.errors import BadInput, Cancelled
from studio.core.jobs import JobState
from studio.core.review import (
    ExportParams,
    Limits,
    export_bundle,
    export_job,
    open_bundle,
)


@pytest.fixture(autouse=True)
def own_temp(tmp_path, monkeypatch):
    """Bundles extract into tempfile's folder: make it this test's, to see what is left there."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _rewrite(src, dest, *, drop=(), add=None, replace=None):
    """Copy a zip member by member, leaving some out, changing some, adding some."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            if info.filename not in drop:
                zout.writestr(info.filename, (replace or {}).get(info.filename, zin.read(info)))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dest


def _manifest(path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json"))


def test_export_holds_briefs_threads_assets_and_small_proxies(sender, bundle_file, own_temp):
    with zipfile.ZipFile(bundle_file) as zf:
        names = sorted(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        for name, member in manifest["members"].items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == member["sha256"]
    assert len(names) == 3 and names[0] == "manifest.json"
    with sender.lib.read() as conn:
        library_uid = conn.execute(select(Setting.value).where(Setting.key == "library.uid")).scalar()
    assert (manifest["format"], manifest["version"], manifest["kind"], manifest["library_uid"]) == ("conext-review-bundle", 1, "bundle", library_uid)

    with open_bundle(bundle_file) as bundle:
        brief = bundle.brief(sender.brief_id)
        assert (brief.title, brief.brand, brief.campaign, brief.status) == ("Autumn launch", "Roast", "Autumn", "draft")
        assert brief.sections["objective"] == "Make **students** pick Roast." and brief.deliverables == ({"spec_id": "meta.reels", "count": 2, "notes": "hero"},)
        assert [(v["number"], v["author"], v["note"]) for v in brief.versions] == [(1, "Ana", "first draft")]
        assert [(c.uid, c.section, c.author, c.text) for c in brief.comments] == [(sender.comment_uid, "insight", "Ana", "Is the insight strong enough?")]
        image, video = bundle.assets
        assert (image.name, image.kind, video.name, video.kind) == ("shot.jpg", "image", "spot.mp4", "video")
        originals = {a: sender.lib.media_path(a.sha256, "." + a.name.rsplit(".", 1)[1]) for a in bundle.assets}
        assert all(hashlib.sha256(originals[a].read_bytes()).hexdigest() == a.sha256 and originals[a].stat().st_size == a.size_bytes
                   for a in bundle.assets)
        with Image.open(image.proxy) as picture:
            assert (picture.format, picture.size) == ("JPEG", (1600, 1200))
        with av.open(str(video.proxy)) as clip:
            assert (clip.streams.video[0].width, clip.streams.video[0].height) == (640, 360) and clip.streams.audio
        folder = image.proxy.parent
        assert folder.parent == own_temp
    assert not folder.exists()  # closing the bundle removes what it extracted


def test_library_uid_is_made_once_and_kept(sender, tmp_path):
    first = export_bundle(sender.lib, [sender.brief_id], [], tmp_path / "one.zip")
    second = export_job(ExportParams(str(sender.lib.root), [sender.brief_id], [sender.image_id], str(tmp_path / "two.zip")), JobState())
    assert first.uid != second["uid"] and (first.assets, second["assets"]) == (0, 1)
    assert _manifest(tmp_path / "one.zip")["library_uid"] == _manifest(tmp_path / "two.zip")["library_uid"]
    with sender.lib.read() as conn:
        made = conn.execute(select(AuditEvent.action).where(AuditEvent.action.like("%identity%"))).scalars().all()
    assert made == ["Create the library's identity for review bundles"]


@pytest.mark.parametrize("when", ["at once", "midway"])
def test_cancel_leaves_nothing(sender, tmp_path, when):
    out = tmp_path / "out.zip"
    state = JobState(lambda: state.cancel() if when == "at once" or (state.progress or 0) > 0.3 else None)
    with pytest.raises(Cancelled):
        export_bundle(sender.lib, [sender.brief_id], [sender.image_id, sender.video_id], out, state=state)
    assert list(tmp_path.glob("*.zip*")) == [] and list(tmp_path.glob(".out.zip*")) == []


def test_export_refuses_unknown_briefs_and_assets(sender, tmp_path):
    for brief_ids, asset_ids, message in (([], [], "needs at least one brief"), ([99], [], "There is no brief 99"),
                                          ([sender.brief_id], [77], "There is no asset 77")):
        with pytest.raises(BadInput, match=message):
            export_bundle(sender.lib, brief_ids, asset_ids, tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def _refused(path, message, **limits):
    with pytest.raises(BadInput, match=message) as caught:
        open_bundle(path, limits=Limits(**limits))
    assert "Nothing was imported" in str(caught.value)


def test_a_changed_member_is_refused(bundle_file, tmp_path, own_temp):
    proxy = next(iter(_manifest(bundle_file)["members"]))
    _refused(_rewrite(bundle_file, tmp_path / "t.zip", replace={proxy: b"\xff\xd8 not the picture that was sent"}),
             "does not match its hash in the manifest")
    assert list(own_temp.iterdir()) == []  # nothing extracted is left behind


def test_an_edited_manifest_or_an_added_member_is_refused(bundle_file, tmp_path):
    manifest = _manifest(bundle_file)
    manifest["briefs"][0]["title"] = "Something else"
    _refused(_rewrite(bundle_file, tmp_path / "m.zip", replace={"manifest.json": json.dumps(manifest)}), "signature does not match")
    _refused(_rewrite(bundle_file, tmp_path / "a.zip", add={"proxies/extra.txt": b"hello"}), "'proxies/extra.txt' is not listed in its manifest")
    proxy = next(iter(manifest["members"]))
    _refused(_rewrite(bundle_file, tmp_path / "d.zip", drop=[proxy]), "listed in its manifest is missing")


@pytest.mark.parametrize("name", ["../evil.txt", "proxies/../../evil.txt", "/tmp/evil.txt", "C:/evil.txt", "..\\evil.txt"])
def test_path_traversal_is_refused(bundle_file, tmp_path, own_temp, name):
    _refused(_rewrite(bundle_file, tmp_path / "p.zip", add={name: b"owned"}), "points outside the bundle")
    assert not list(tmp_path.rglob("evil.txt")) and list(own_temp.iterdir()) == []


def test_oversized_members_are_refused(bundle_file, tmp_path):
    biggest = max(info.file_size for info in zipfile.ZipFile(bundle_file).infolist())
    _refused(bundle_file, "more than the 1,000 allowed", member_bytes=1_000)
    _refused(bundle_file, "unpack to more than the 2,000 bytes", total_bytes=2_000, member_bytes=biggest)
    _refused(bundle_file, "more than the 2 a bundle may hold", members=2)
    # A zip bomb: a megabyte of zeros packs into a kilobyte; its declared size trips the cap before a byte is read.
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("proxies/" + "0" * 64 + ".jpg", bytes(1 << 20))
    assert (tmp_path / "bomb.zip").stat().st_size < 5_000
    _refused(tmp_path / "bomb.zip", "unpacks to 1,048,576 bytes", member_bytes=100_000)


def test_a_member_that_holds_more_than_it_declares_is_refused(bundle_file, tmp_path):
    """The central directory says 10 bytes; reading stops there, and the checksum gives the lie away."""
    data = bytearray(bundle_file.read_bytes())
    proxy = next(iter(_manifest(bundle_file)["members"])).encode()
    entry = data.rindex(b"PK\x01\x02", 0, data.rindex(proxy))
    data[entry + 24:entry + 28] = (10).to_bytes(4, "little")
    (tmp_path / "lying.zip").write_bytes(bytes(data))
    _refused(tmp_path / "lying.zip", "damaged")


def test_files_that_are_not_bundles_are_refused(tmp_path):
    (tmp_path / "empty.zip").write_bytes(b"")
    _refused(tmp_path / "empty.zip", "not a zip file")
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    _refused(tmp_path / "junk.zip", "not a zip file")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("readme.txt", "hello")
    _refused(tmp_path / "other.zip", "no manifest.json")
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as zf:
        zf.writestr("manifest.json", "{not json")
    _refused(tmp_path / "bad.zip", "not valid JSON")
    with pytest.raises(BadInput, match="is not a file"):
        open_bundle(tmp_path / "missing.zip")
