"""What a check reports: a finding, precise enough to fix in one click."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from dataclasses import field as _field


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: str  # "error" blocks export unless waived; "warning" informs
    message: str
    hint: str
    source: str = ""  # the policy page the rule comes from
    platform: str | None = None
    field: str | None = None  # headline, description, primary_text, display_path, image_text, image, video, audio
    span: tuple[int, int] | None = None  # characters [start, end) in the checked text
    box: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 in image (or frame) pixels
    frame: int | None = None  # the video frame the box is on
    excerpt: str = ""  # the offending text, or what the box shows
    fix: dict | None = _field(default=None, compare=False)  # a quick fix: {"replace": [start, end, "new text"]}

    def as_dict(self) -> dict:
        return asdict(self)

    def fingerprint(self, target: str) -> str:
        """The same problem in the same place keeps its fingerprint across re-checks (waivers name it)."""
        key = "\x1f".join([target, self.rule_id, self.platform or "", self.field or "", self.excerpt or "", str(self.frame or "")])
        return hashlib.sha256(key.encode("utf-8")).hexdigest()


def has_errors(findings) -> bool:
    return any(f.severity == "error" for f in findings)
