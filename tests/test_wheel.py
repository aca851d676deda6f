"""The installed wheel carries the migrations and resources: a library opens from it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from studio.core.db import migrate

ROOT = Path(__file__).resolve().parents[1]

OPEN = """
import sys, studio
from studio.core.library import Library
from studio.core.paths import migrations_dir, resources_dir
assert studio.__file__.startswith(sys.argv[1]), studio.__file__
assert str(migrations_dir()).startswith(sys.argv[1]) and str(resources_dir()).startswith(sys.argv[1])
with Library.open(sys.argv[2]) as lib, lib.read() as conn:
    print(conn.exec_driver_sql("select version_num from alembic_version").scalar())
"""


def test_library_opens_from_an_installed_wheel(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "dist").glob("conext_studio-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "studio/migrations/env.py" in names and any(n.startswith("studio/migrations/versions/0001") for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    out = subprocess.run(
        [sys.executable, "-c", OPEN, str(site), str(tmp_path / "lib")],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == migrate.head_revision()  # every migration came with the wheel
