"""The PyInstaller build: packaging/build.sh makes a one-folder app whose binary runs the
CLI (demo, library check, an old library's migrations) and the window (a screenshot).
Slow (a few minutes): run with `pytest tests/test_packaging.py -m slow`."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageStat

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pyinstaller")
    started = time.monotonic()
    subprocess.run(
        ["bash", str(ROOT / "packaging" / "build.sh"), str(out / "dist"), str(out / "work")],
        check=True, env={**os.environ, "PYTHON": sys.executable}, timeout=1500,
    )
    folder = out / "dist" / "conext-studio"
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    print(f"\nbuilt in {time.monotonic() - started:.0f} s, {size / 2**20:.0f} MiB")
    assert (folder / "_internal" / "migrations" / "env.py").is_file()
    assert (folder / "_internal" / "resources" / "demo").is_dir()
    qt = folder / "_internal" / "PySide6" / "Qt"
    assert list(qt.glob("lib/libQt6Multimedia.so*")) and list(qt.glob("plugins/multimedia/*")), "the viewer's sound needs QtMultimedia"
    return folder / "conext-studio"


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("home")
    extra = {f"XDG_{d.upper()}_HOME": str(home / d) for d in ("data", "config", "state", "cache")}
    clean = {k: v for k, v in os.environ.items() if k not in ("STUDIO_LIBRARY", "PYTHONPATH")}
    return {**clean, **extra, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen", "STUDIO_KEYRING": "file"}


def _run(app: Path, env: dict, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    done = subprocess.run([str(app), *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=app.parent.parent)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def demo_library(app, env, tmp_path_factory) -> Path:
    library = tmp_path_factory.mktemp("frozen") / "lib"
    summary = json.loads(_run(app, env, "demo", "--library", str(library), "--json").stdout)
    assert summary["campaign"]["name"] and len(summary["assets"]["videos"]) == 2
    return library


def test_frozen_demo_library_checks_ok(app, env, demo_library):
    report = json.loads(_run(app, env, "library", "check", "--library", str(demo_library), "--json").stdout)
    assert report["ok"] and report["media"]["assets"] >= 8


def test_frozen_window_screenshot(app, env, demo_library, tmp_path):
    shot = tmp_path / "window.png"
    _run(app, env, "--library", str(demo_library), "--screenshot", str(shot))
    with Image.open(shot) as img:
        assert img.width >= 640 and img.height >= 400
        stats = ImageStat.Stat(img.convert("RGB"))
        assert max(stats.stddev) > 10 and len(img.convert("RGB").getcolors(1 << 20) or []) > 100


def test_frozen_app_renders_and_exchanges_the_demo_ad(app, env, demo_library, tmp_path):
    (ad,) = json.loads(_run(app, env, "compositions", "list", "--library", str(demo_library), "--json").stdout)
    still = json.loads(_run(app, env, "render", str(ad["id"]), "--frame", "120", "--out", str(tmp_path / "f.png"), "--library", str(demo_library), "--json").stdout)
    assert Image.open(still["path"]).size == (ad["width"], ad["height"])
    video = json.loads(_run(app, env, "render", str(ad["id"]), "--out", str(tmp_path / "ad.mp4"), "--library", str(demo_library), "--json", timeout=300).stdout)
    assert video["frames"] == round(ad["duration_s"] * ad["fps"]) and video["video_codec"].startswith("h264")
    exported = json.loads(_run(app, env, "compositions", "export", str(ad["id"]), str(tmp_path / "ad.otio"), "--library", str(demo_library), "--json").stdout)
    assert (tmp_path / "ad.otio").stat().st_size > 0 and exported["path"].endswith("ad.otio")


def test_frozen_app_runs_the_migrations_of_an_old_library(app, env, tmp_path):
    """A library at the first schema revision is upgraded by the bundled Alembic scripts."""
    from sqlalchemy import create_engine

    from studio.core.db import migrate

    library = tmp_path / "old"
    library.mkdir()
    engine = create_engine(f"sqlite:///{library / 'library.db'}")
    with engine.begin() as conn:
        migrate.upgrade(conn, "0001")
    engine.dispose()
    report = json.loads(_run(app, env, "library", "check", "--library", str(library), "--json").stdout)
    assert report["ok"] and report["schema"]["revision"] == migrate.head_revision()
    assert list((library / "backups").glob("library-*-before-*.db"))  # the backup before upgrading
