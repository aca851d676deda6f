"""manifest.json: what an ad package holds, versioned and documented.

The JSON Schema is resources/export/manifest.schema.json, generated from these models (a test
keeps it current). Everything in a manifest follows from the package's inputs except
`created_at`: the same campaign, media and choices give the same bytes, apart from that field.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_ID = "https://conext.studio/schemas/ad-package-manifest/v1.json"
SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FindingEntry(_Model):
    severity: Literal["error", "warning"]
    code: str
    message: str
    hint: str
    field: str | None = None


class Validation(_Model):
    passed: bool  # no errors
    errors: int
    warnings: int
    findings: list[FindingEntry]


class Source(_Model):
    kind: Literal["composition", "asset"]
    id: int
    name: str
    variant: str | None = None  # the composition's aspect variant
    reframed: bool = False  # laid out by smart reframing for this package


class FileEntry(_Model):
    path: str  # relative to the package folder, with forward slashes
    role: Literal["rendition", "copy", "sheet", "contact_sheet"]
    sha256: str
    bytes: int
    spec_id: str | None = None
    platform: str | None = None
    media: Literal["image", "video"] | None = None
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    source: Source | None = None
    validation: Validation | None = None


class CopyEntry(_Model):
    spec_id: str
    platform: str
    texts: dict[str, list[str]]
    validation: Validation


class Campaign(_Model):
    id: int
    name: str


class Summary(_Model):
    renditions: int
    files: int
    errors: int
    warnings: int


class Waiver(_Model):
    reason: str
    name: str  # who accepted the finding


class ComplianceFinding(_Model):
    target: str  # copy:<id>, asset:<id> or composition:<id>
    item: str  # the target as a person reads it
    rule_id: str
    severity: Literal["error", "warning"]
    message: str
    hint: str
    platform: str | None = None
    field: str | None = None
    span: tuple[int, int] | None = None  # characters [start, end) of the item's text
    box: tuple[int, int, int, int] | None = None  # pixels of the image or frame
    frame: int | None = None
    excerpt: str = ""
    fingerprint: str
    waiver: Waiver | None = None


class Compliance(_Model):
    """The policy and brand checks of what the package holds: unwaived errors refuse the build,
    so what is listed here are the warnings and the errors someone accepted, with who and why."""

    rules: dict[str, str]  # rule file -> its version
    checked: list[str]  # the targets checked
    warnings: list[ComplianceFinding]
    waived: list[ComplianceFinding]


class Manifest(_Model):
    schema_: str = Field(SCHEMA_ID, alias="$schema")
    schema_version: Literal[1] = SCHEMA_VERSION
    created_at: str  # the one field that differs between two builds of the same inputs
    studio_version: str
    catalog_version: str
    campaign: Campaign
    platforms: list[str]
    files: list[FileEntry]
    copy_checks: list[CopyEntry]
    notes: list[str]
    compliance: Compliance
    summary: Summary

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def dumps(self) -> str:
        return json.dumps(self.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    @classmethod
    def loads(cls, text: str) -> Manifest:
        return cls.model_validate_json(text)


def validation(findings) -> Validation:
    return Validation(passed=not any(f.severity == "error" for f in findings),
                      errors=sum(f.severity == "error" for f in findings),
                      warnings=sum(f.severity == "warning" for f in findings),
                      findings=[FindingEntry(**f.as_dict()) for f in findings])


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def json_schema() -> dict:
    schema = Manifest.model_json_schema(by_alias=True)
    schema["$id"] = SCHEMA_ID
    schema["title"] = "Conext Studio ad package manifest"
    return schema


def verify(folder: Path) -> list[str]:
    """Problems found re-reading a package: files missing, changed, or not listed (empty: it is whole)."""
    manifest = Manifest.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    problems = []
    listed = set()
    for entry in manifest.files:
        listed.add(entry.path)
        path = folder / entry.path
        if not path.is_file():
            problems.append(f"{entry.path} is missing")
        elif path.stat().st_size != entry.bytes or sha256(path) != entry.sha256:
            problems.append(f"{entry.path} has changed since the package was built")
    extra = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    problems += [f"{p} is not in the manifest" for p in extra if p not in listed and p != "manifest.json"]
    return problems
