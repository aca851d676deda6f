"""Publishing: the calendar (channels, posts, warnings), time zones, CSV and iCal import/export,
and the publisher that sends due posts to the platforms. Writes are ops in studio.core.ops.publishing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from studio.core.errors import BadInput


def write_file_atomically(path: Path, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, then rename it into place: a crash leaves the
    old file or the new one, never half of one."""
    path = Path(path)
    if not path.parent.is_dir():
        raise BadInput(f"The folder {path.parent} does not exist; create it or choose another place to save.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
