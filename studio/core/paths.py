"""Where the studio's own files are: a source checkout, an installed wheel or a PyInstaller bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "Conext Studio"
_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # .../studio


def _bundled(name: str) -> Path:
    """resources/ and migrations/ sit beside studio/ in a checkout and in a PyInstaller
    bundle, and inside studio/ (mapped by pyproject's package-dir) in an installed wheel."""
    candidates = []
    if getattr(sys, "frozen", False):
        candidates.append(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / name)
    candidates += [_PACKAGE_DIR.parent / name, _PACKAGE_DIR / name]
    for path in candidates:
        if path.is_dir():
            return path
    raise FileNotFoundError(f"The studio's {name} folder is missing (looked in {', '.join(map(str, candidates))}); reinstall Conext Studio.")


def resources_dir() -> Path:
    return _bundled("resources")


def migrations_dir() -> Path:
    return _bundled("migrations")


def default_library_dir() -> Path:
    env = os.environ.get("STUDIO_LIBRARY")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "Library"


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def user_log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
