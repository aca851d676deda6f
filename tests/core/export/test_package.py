"""Building ad packages from a real library: renditions probed back against their specs,
checksums, reproducibility, sheets, and every way a build must refuse or leave nothing."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from studio.core.errors import BadInput, Cancelled, StudioError
from studio.core.export.manifest import Manifest, json_schema, verify
from studio.core.export.package import PackageParams, build_package
from studio.core.export.sheets import SHEETS
from studio.core.jobs import JobState, worker_pool
from studio.core.paths import resources_dir
from studio.core.specs.catalog import (
    load_catalog,
    parse_entry,
    save_entry,
    shipped_catalog,
)
from studio.core.specs.probe import probe_file
from studio.core.specs.validate import check_file, has_errors
from tests.core.export.conftest import CAMPAIGN

DOCS = Path(__file__).resolve().parents[3] / "docs" / "export-sheets.md"


def params(campaign, out, specs, **kw) -> PackageParams:
    platforms = sorted({s.split(".")[0] for s in specs})
    return PackageParams(str(campaign.lib.root), CAMPAIGN, platforms, str(out), spec_ids=specs,
                         composition_ids=kw.pop("composition_ids", [campaign.composition_id]),
                         asset_ids=kw.pop("asset_ids", [campaign.photo_id]), **kw)


def test_a_package_round_trips_and_every_rendition_passes_its_spec(campaign, tmp_path):
    result = build_package(params(campaign, tmp_path / "out", ["tiktok.infeed", "google.rda", "google.rsa", "linkedin.single_image"]),
                           JobState(), lib=campaign.lib)
    folder = Path(result["folder"])
    manifest = Manifest.loads((folder / "manifest.json").read_text())
    assert verify(folder) == []
    renditions = [f for f in manifest.files if f.role == "rendition"]
    assert {f.spec_id for f in renditions} == {"tiktok.infeed", "google.rda", "linkedin.single_image"}
    catalog = load_catalog(campaign.lib)
    for entry in renditions:
        facts = probe_file(folder / entry.path)
        assert not has_errors(check_file(facts, catalog.get(entry.spec_id))), entry.path
        assert (facts.width, facts.height) == (entry.width, entry.height) and entry.validation.passed
    video = next(f for f in renditions if f.media == "video")
    assert (video.width, video.height) == (720, 1280)  # never upscaled to the recommended 1080×1920
    assert video.source.kind == "composition" and video.source.id == campaign.composition_id
    roles = {f.role for f in manifest.files}
    assert roles == {"rendition", "copy", "sheet", "contact_sheet"}
    assert {c.spec_id for c in manifest.copy_checks} >= {"google.rsa", "tiktok.infeed"}
    with zipfile.ZipFile(result["zip"]) as z:
        names = {n.split("/", 1)[1] for n in z.namelist()}
        assert names == {f.path for f in manifest.files} | {"manifest.json"}
        assert z.read(f"{folder.name}/manifest.json") == (folder / "manifest.json").read_bytes()


def documented_headers() -> dict[str, list[str]]:
    sheets, current = {}, None
    for line in DOCS.read_text().splitlines():
        if line.startswith("## "):
            current = sheets.setdefault(line[3:].strip(), [])
        elif current is not None and line.startswith("| ") and not line.startswith(("| Column", "|---")):
            current.append(line.split("|")[1].strip())
    return sheets


def test_the_sheets_headers_are_exactly_the_documented_ones(campaign, tmp_path):
    result = build_package(params(campaign, tmp_path / "out", ["meta.feed_image", "google.rsa", "google.rda", "tiktok.infeed", "linkedin.single_image"]),
                           JobState(), lib=campaign.lib)
    sheets = Path(result["folder"]) / "sheets"
    documented = documented_headers()
    assert set(documented) == {name for name, _, _ in SHEETS.values()}
    for name, headers in documented.items():
        raw = (sheets / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # UTF-8 with BOM, CRLF
        rows = list(csv.reader((sheets / name).read_text(encoding="utf-8-sig").splitlines()))
        assert rows[0] == headers, name
        assert len(rows) > 1
    google = list(csv.DictReader((sheets / "google-ads-editor.csv").read_text(encoding="utf-8-sig").splitlines()))
    rsa = next(r for r in google if r["Ad type"] == "Responsive search ad")
    assert (rsa["Headline 1"], rsa["Headline 3"], rsa["Description 2"]) == ("Spring Sale is on", "Ends Sunday", "Free returns for thirty days.")
    assert rsa["Final URL"] == "https://example.com/spring" and rsa["Ad status"] == "Paused"
    meta = list(csv.DictReader((sheets / "meta-ads-manager-bulk-import.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert all(r["Ad Status"] == "PAUSED" and r["Image File Name"].endswith(".jpg") for r in meta)


def without_timestamp(text: str) -> str:
    return re.sub(r'"created_at": "[^"]+"', '"created_at": ""', text)


def test_the_same_inputs_give_the_same_manifest_and_identical_renditions_are_made_once(campaign, tmp_path):
    specs = ["meta.reels", "tiktok.infeed", "google.rda"]
    first = build_package(params(campaign, tmp_path / "a", specs), JobState(), lib=campaign.lib)
    second = build_package(params(campaign, tmp_path / "b", specs), JobState(), lib=campaign.lib)
    a, b = (Path(r["manifest"]).read_text() for r in (first, second))
    assert a != b  # the build time differs…
    assert without_timestamp(a) == without_timestamp(b)  # …and nothing else
    assert first["files_made"] == 2 and first["renditions"] == 3  # Reels and TikTok share one 720×1280 encode


def test_worker_processes_make_the_same_files(campaign, tmp_path):
    specs = ["tiktok.infeed", "google.youtube_instream", "google.rda"]
    serial = build_package(params(campaign, tmp_path / "serial", specs), JobState(), lib=campaign.lib)
    with worker_pool(2) as pool:
        parallel = build_package(params(campaign, tmp_path / "pool", specs), JobState(), lib=campaign.lib, pool=pool)
    assert without_timestamp(Path(serial["manifest"]).read_text()) == without_timestamp(Path(parallel["manifest"]).read_text())


def test_an_existing_package_is_never_overwritten(campaign, tmp_path):
    p = params(campaign, tmp_path, ["google.rda"])
    first = build_package(p, JobState(), lib=campaign.lib)
    before = Path(first["manifest"]).read_bytes()
    with pytest.raises(BadInput, match="already exists: a package is never overwritten"):
        build_package(p, JobState(), lib=campaign.lib)
    assert Path(first["manifest"]).read_bytes() == before


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


def test_a_cancelled_build_leaves_nothing_that_looks_complete(campaign, tmp_path):
    out = tmp_path / "out"
    state = JobState()
    state._on_change = lambda: state.cancel() if (state.progress or 0) > 0 else None
    with pytest.raises(Cancelled):
        build_package(params(campaign, out, ["tiktok.infeed", "google.youtube_instream"]), state, lib=campaign.lib)
    assert leftovers(out) == []


def test_a_failure_midway_leaves_nothing(campaign, tmp_path):
    out = tmp_path / "out"
    override = shipped_catalog().get("google.rda").model_dump(mode="json", exclude_unset=True)
    override["max_file_bytes"] = 2000  # no JPEG of 1200×628 gets this small
    override.get("unconfirmed", {}).pop("max_file_bytes", None)
    save_entry(campaign.lib, parse_entry(override))
    with pytest.raises(StudioError, match="stays over"):
        build_package(params(campaign, out, ["tiktok.infeed", "google.rda"]), JobState(), lib=campaign.lib)
    assert leftovers(out) == []


def test_a_file_size_limit_is_met_by_lowering_quality(campaign, tmp_path):
    override = shipped_catalog().get("tiktok.infeed").model_dump(mode="json", exclude_unset=True)
    override["max_file_bytes"] = 250_000
    override["bitrate"] = [None, None]
    save_entry(campaign.lib, parse_entry(override))
    result = build_package(params(campaign, tmp_path, ["tiktok.infeed"], asset_ids=[]), JobState(), lib=campaign.lib)
    entry = next(f for f in Manifest.loads(Path(result["manifest"]).read_text()).files if f.role == "rendition")
    assert entry.bytes <= 250_000 and entry.validation.passed


@pytest.fixture
def small_tmpfs(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mount)], capture_output=True, check=False).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_disk_that_fills_up_mid_package_is_reported_and_leaves_nothing(campaign, small_tmpfs):
    with pytest.raises(StudioError, match="The disk is full"):
        build_package(params(campaign, small_tmpfs, ["tiktok.infeed", "google.rda"]), JobState(), lib=campaign.lib)
    assert leftovers(small_tmpfs) == []


def test_an_asset_far_below_the_minimum_blocks_the_package_or_is_left_out(campaign, tmp_path):
    p = params(campaign, tmp_path / "out", ["google.rda"], asset_ids=[campaign.photo_id, campaign.tiny_id])
    with pytest.raises(BadInput, match=r"would not upload cleanly:\n.*tiny.*150×150 is smaller than the 1:1 minimum of 300×300"):
        build_package(p, JobState(), lib=campaign.lib)
    assert leftovers(tmp_path / "out") == []
    p.skip_blocked = True
    result = build_package(p, JobState(), lib=campaign.lib)
    assert len(result["left_out"]) == 1 and "tiny" in result["left_out"][0] and result["renditions"] == 1


def test_a_video_too_long_for_the_placement_names_the_limit(campaign, tmp_path):
    from studio.core.ops.compositions import create_composition
    from tests.core.export.conftest import short_ad

    long_id = create_composition(campaign.lib, short_ad(campaign.clip_asset_id, seconds=7, name="Long cut"), campaign.id).value
    with pytest.raises(BadInput, match="runs 7.00 s; YouTube bumper allows at most 6 s"):
        build_package(params(campaign, tmp_path, ["google.youtube_bumper"], composition_ids=[long_id]), JobState(), lib=campaign.lib)


def test_a_composition_with_missing_media_is_refused(campaign, tmp_path):
    path = Path(campaign.lib.media_path(*_sha_ext(campaign)))
    path.rename(path.with_suffix(".gone"))
    with pytest.raises(BadInput, match="cannot be used; relink or re-import"):
        build_package(params(campaign, tmp_path, ["tiktok.infeed"], asset_ids=[]), JobState(), lib=campaign.lib)


def _sha_ext(campaign):
    from studio.core.queries import get_asset

    asset = get_asset(campaign.lib, campaign.clip_asset_id)
    return asset.sha256, asset.ext


def test_copy_longer_than_its_field_blocks_the_package(campaign, tmp_path):
    from studio.core.ops.copy import set_copy

    set_copy(campaign.lib, campaign.id, "headline", ["Spring Sale is on", "A headline far longer than thirty characters", "Ends Sunday"], scope="google")
    with pytest.raises(BadInput, match="Headline 2 is 44 characters; the limit is 30"):
        build_package(params(campaign, tmp_path, ["google.rsa", "google.rda"]), JobState(), lib=campaign.lib)


def test_unknown_campaign_and_platform_get_clear_messages(campaign, tmp_path):
    p = params(campaign, tmp_path, ["google.rda"])
    p.campaign = "Winter"
    with pytest.raises(BadInput, match=r"no campaign 'Winter'. Campaigns: Spring Sale"):
        build_package(p, JobState(), lib=campaign.lib)
    p = params(campaign, tmp_path, ["google.rda"])
    p.platforms = ["myspace"]
    with pytest.raises(BadInput, match="Unknown platform"):
        build_package(p, JobState(), lib=campaign.lib)


def test_the_shipped_manifest_schema_is_current():
    shipped = json.loads((resources_dir() / "export" / "manifest.schema.json").read_text())
    assert shipped == json_schema()
