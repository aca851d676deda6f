"""Names made safe for files and matching: one small module, so that reading a name does not
import the render and export machinery."""

from __future__ import annotations

import re


def slug(text: str) -> str:
    """Lower case letters and digits joined by hyphens ("Story Ad 2" -> "story-ad-2")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "untitled"
