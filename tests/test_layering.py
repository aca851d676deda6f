"""Core and kata never import Qt: the import-linter contracts hold, and core works in a
process where Qt cannot be imported at all."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    out = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Contracts: 2 kept, 0 broken" in out.stdout


BLOCK_QT = """
import sys, tempfile, pkgutil, importlib
for name in ("PySide6", "shiboken6", "qasync", "pyqtgraph", "superqt", "qtawesome"):
    sys.modules[name] = None  # any import of these now fails
import studio.core, studio.kata
for pkg in (studio.core, studio.kata):
    for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(mod.name)
from studio.core.library import Library
from studio.core.ops.organize import create_client
with Library.open(tempfile.mkdtemp()) as lib:
    create_client(lib, "No Qt here")
    lib.undo.undo()
print("ok")
"""


def test_core_and_kata_work_without_qt():
    out = subprocess.run([sys.executable, "-c", BLOCK_QT], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
