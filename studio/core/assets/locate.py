"""Finding moved media by file name: a job that walks a folder (and its subfolders) for the
names of missing files, so offline clips can be relinked in one go."""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import BadInput
from studio.core.jobs import JobState


@dataclass
class LocateParams:
    folder: str
    names: list[str]  # file names to look for (matched ignoring case)


def locate(params: LocateParams, state: JobState) -> dict[str, str]:
    """{wanted name: path of a file with that name}. Folders are searched level by level, so
    the match nearest the top wins; hidden files and folders, and unreadable folders, are skipped."""
    root = Path(params.folder).expanduser()
    if not root.is_dir():
        raise BadInput(f"{root} is not a folder; choose the folder the media was moved to.")
    wanted = {name.lower(): name for name in params.names}
    found: dict[str, str] = {}
    queue, searched = deque([root]), 0
    while queue and len(found) < len(wanted):
        state.check()
        try:
            entries = sorted(os.scandir(queue.popleft()), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                queue.append(entry.path)
            elif entry.name.lower() in wanted and wanted[entry.name.lower()] not in found and entry.is_file():
                found[wanted[entry.name.lower()]] = entry.path
        searched += 1
        if searched % 50 == 0:
            state.set_status(f"Looked in {searched} folders; found {len(found)} of {len(wanted)} files")
    return found
