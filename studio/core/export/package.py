"""Build an ad package: the folder (and zip) an agency hands its media buyers.

    <campaign>-ad-package/
      renditions/<platform>/…    every creative in every size each chosen placement needs
      copy/copy.json             the copy per platform, with its check results
      sheets/                    bulk-upload sheets for Meta, Google Ads Editor, TikTok, LinkedIn
      contact-sheet/             contact-sheet.html and .pdf with thumbnails, for client review
      manifest.json              every file with its checksum, spec, source and check results
    <campaign>-ad-package.zip

What the package holds is checked against the platform and brand rules first (where it changed
since its last check): an error nobody waived refuses the build, and the manifest lists the
warnings and the waived errors with who accepted them and why.

A job: renditions are made in worker processes (one per core) or on a render cluster (the pool
is a Dask client, see studio.core.cluster), identical ones once. Every
file is probed back and checked against its spec; one that fails stops the build. The
package is written under a temporary name beside the target and renamed into place only
when whole, so a cancelled, failed or interrupted build leaves nothing that looks complete,
and an existing package is never overwritten.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from studio.core.compliance.store import (
    describe_target,
    findings_for,
    recheck_campaign,
    record,
)
from studio.core.db.models import AdCopyRow
from studio.core.errors import BadInput, StudioError
from studio.core.export import manifest as mf
from studio.core.export.contact_sheet import write_contact_sheet
from studio.core.export.plan import Plan, Rendition, make_plan, source_composition
from studio.core.export.rendition import RenditionTask, make_rendition
from studio.core.export.sheets import write_sheets
from studio.core.jobs import run_each
from studio.core.names import slug
from studio.core.specs.catalog import load_catalog
from studio.core.specs.probe import probe_file
from studio.core.specs.validate import check_file
from studio.core.timeline.model import MediaClip

_DISK_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # zip entries carry this date, so the zip is reproducible too


@dataclass
class PackageParams:
    library_root: str
    campaign: str | int
    platforms: list[str]
    out: str  # the folder the package goes into
    spec_ids: list[str] | None = None
    composition_ids: list[int] | None = None
    asset_ids: list[int] | None = None
    skip_blocked: bool = False  # leave out renditions whose checks fail, rather than refuse
    make_zip: bool = True
    only: list[str] | None = None  # rendition paths (Rendition.path) to build; None: all of the plan's


def package_name(campaign_name: str) -> str:
    return f"{slug(campaign_name)}-ad-package"


def build_package(params: PackageParams, state, lib=None, pool=None) -> dict:
    """Job: plan, make, check and write the package; returns a summary with the manifest path."""
    from studio.core.library import Library

    own = lib is None
    lib = lib or Library.open(params.library_root, lock=False, auto_backup=False)
    try:
        state.set_status("Planning the package")
        plan = make_plan(lib, params.campaign, params.platforms, spec_ids=params.spec_ids,
                         composition_ids=params.composition_ids, asset_ids=params.asset_ids, catalog=load_catalog(lib))
        if params.only is not None:
            plan.renditions = [r for r in plan.renditions if r.path in set(params.only)]
        renditions = _buildable(plan, params.skip_blocked)
        compliance = _compliance(lib, plan, renditions, state)
        out_dir, name = _target(params.out, plan.campaign_name)
        temp = out_dir / f".{name}.partial-{uuid.uuid4().hex[:8]}"
        temp_zip = out_dir / f".{name}.partial-{uuid.uuid4().hex[:8]}.zip"
        try:
            temp.mkdir()
            manifest, made = _write(plan, renditions, temp, lib, state, pool, compliance)
            if params.make_zip:
                state.set_status("Zipping")
                _zip(temp, temp_zip, name)
                os.replace(temp_zip, out_dir / f"{name}.zip")
            os.replace(temp, out_dir / name)  # last: a folder with this name is a whole package
            record(lib, "Exported package", {"campaign_id": plan.campaign_id, "campaign": plan.campaign_name, "package": name,
                                             "platforms": plan.platforms, "manifest_sha256": mf.sha256(out_dir / name / "manifest.json"),
                                             "warnings": len(compliance.warnings), "waived": len(compliance.waived)})
        except BaseException as exc:
            shutil.rmtree(temp, ignore_errors=True)
            temp_zip.unlink(missing_ok=True)
            if isinstance(exc, OSError) and exc.errno in _DISK_FULL:
                raise StudioError(f"The disk is full: the package needs more room in {out_dir}. Free some space or "
                                  "choose another folder; nothing was left behind.") from None
            raise
    finally:
        if own:
            lib.close()
    folder = out_dir / name
    return {"folder": str(folder), "manifest": str(folder / "manifest.json"),
            "zip": str(out_dir / f"{name}.zip") if params.make_zip else None,
            "left_out": [r.path for r in plan.renditions if r not in renditions],
            "files_made": made,  # distinct files rendered: identical renditions are made once
            **manifest.summary.model_dump()}


def _buildable(plan: Plan, skip_blocked: bool) -> list[Rendition]:
    blocked = plan.blocked
    if blocked and not skip_blocked:
        shown = "\n  ".join(blocked[:12]) + (f"\n  … and {len(blocked) - 12} more" if len(blocked) > 12 else "")
        raise BadInput(f"The package would not upload cleanly:\n  {shown}\nFix these, or leave those renditions out "
                       "(--skip-blocked, or untick them in the Export dialog).")
    copy_errors = [c for c in plan.copy_checks if any(f.severity == "error" for f in c.findings)]
    if copy_errors and skip_blocked:
        shown = [f"{c.spec_id}: {f.message}" for c in copy_errors for f in c.findings if f.severity == "error"]
        raise BadInput("Copy errors cannot be left out; fix the copy first:\n  " + "\n  ".join(shown))
    renditions = [r for r in plan.renditions if not r.blocked]
    if not renditions and not plan.copy_checks:
        raise BadInput(f"There is nothing to package for {plan.campaign_name}: " + (" ".join(plan.notes) or "no placements chosen."))
    return renditions


def _package_targets(lib, plan: Plan, renditions: list[Rendition]) -> dict[str, set[str]]:
    """The compliance targets the package holds, each with the platforms it goes to: the copy rows
    whose texts fill a placement's text fields, the images and videos it renders, and the
    compositions with the media they use."""
    catalog = load_catalog(lib)
    with lib.read() as conn:
        rows = conn.execute(select(AdCopyRow.id, AdCopyRow.scope, AdCopyRow.field, AdCopyRow.text)
                            .where(AdCopyRow.campaign_id == plan.campaign_id).order_by(AdCopyRow.id)).all()
    targets: dict[str, set[str]] = {}
    for c in plan.copy_checks:
        fields = {f.name for f in catalog.get(c.spec_id).text_fields}
        for r in rows:
            if r.field in fields and r.text in c.copy.get(r.field, []) and r.scope in (None, c.platform, c.spec_id):
                targets.setdefault(f"copy:{r.id}", set()).add(c.platform)
    for r in renditions:
        targets.setdefault(f"{r.source_kind}:{r.source_id}", set()).add(r.platform)
        if r.source_kind == "composition":
            for _, clip in source_composition(lib, "composition", r.source_id).clips():
                if isinstance(clip, MediaClip) and clip.asset_id:
                    targets.setdefault(f"asset:{clip.asset_id}", set()).add(r.platform)
    return dict(sorted(targets.items()))


def _compliance(lib, plan: Plan, renditions: list[Rendition], state) -> mf.Compliance:
    """Check what the package holds (where it changed since its last check); refuse on errors nobody
    waived. A finding counts where its target goes: a rule for one platform, only if it goes there."""
    state.set_status("Checking policies and brand rules")
    targets = _package_targets(lib, plan, renditions)
    checked = recheck_campaign(lib, plan.campaign_id, state, only=set(targets))
    found = [f for f in findings_for(lib, targets) if f.finding.platform in (None, *targets[f.target])]
    blocking = [f for f in found if f.blocking]
    if blocking:
        shown = [f"{describe_target(lib, f.target)}: {f.finding.message} [{f.finding.rule_id}{f' on {f.finding.platform}' if f.finding.platform else ''}]"
                 for f in blocking]
        more = f"\n  … and {len(shown) - 12} more" if len(shown) > 12 else ""
        raise BadInput("The package holds compliance errors:\n  " + "\n  ".join(shown[:12]) + more
                       + "\nWaive or fix them (the Compliance workspace, or `studio compliance check` to list them).")

    def entry(f) -> mf.ComplianceFinding:
        d = f.finding
        return mf.ComplianceFinding(target=f.target, item=describe_target(lib, f.target), rule_id=d.rule_id, severity=d.severity,
                                    message=d.message, hint=d.hint, platform=d.platform, field=d.field, span=d.span, box=d.box,
                                    frame=d.frame, excerpt=d.excerpt, fingerprint=f.fingerprint,
                                    waiver=mf.Waiver(reason=f.waiver.reason, name=f.waiver.name) if f.waiver else None)

    def order(e: mf.ComplianceFinding):
        return e.target, e.rule_id, e.platform or "", e.field or "", e.span or (0, 0), e.excerpt, e.fingerprint

    return mf.Compliance(rules=checked["rules"], checked=list(targets),
                         warnings=sorted((entry(f) for f in found if f.finding.severity == "warning"), key=order),
                         waived=sorted((entry(f) for f in found if f.finding.severity == "error"), key=order))


def _target(out: str, campaign_name: str) -> tuple[Path, str]:
    out_dir = Path(out).expanduser().absolute()
    if out_dir.exists() and not out_dir.is_dir():
        raise BadInput(f"{out_dir} is a file; give a folder for the package.")
    out_dir.mkdir(parents=True, exist_ok=True)
    name = package_name(campaign_name)
    for existing in (out_dir / name, out_dir / f"{name}.zip"):
        if existing.exists():
            raise BadInput(f"{existing} already exists: a package is never overwritten. Move or rename it, "
                           "or choose another output folder.")
    if not os.access(out_dir, os.W_OK):
        raise BadInput(f"Cannot write to {out_dir}; choose another output folder.")
    return out_dir, name


def _tasks(plan: Plan, renditions: list[Rendition], root: Path, lib) -> tuple[list[RenditionTask], dict]:
    """One task per distinct file; the renditions each task's file serves."""
    docs, tasks, serves = {}, [], {}
    for r in renditions:
        key = r.encode_key
        if key in serves:
            serves[key][1].append(r)
            continue
        task = RenditionTask(str(lib.root), r.media, str(root / r.path), r.size, max_bytes=r.max_bytes)
        if r.media == "video":
            if (r.source_kind, r.source_id) not in docs:
                docs[(r.source_kind, r.source_id)] = source_composition(lib, r.source_kind, r.source_id).to_document()
            task.composition, task.variant, task.reframe = docs[(r.source_kind, r.source_id)], r.variant, r.reframed
            task.max_bitrate = r.max_bitrate
        else:
            task.asset_id = r.source_id
            task.ratio = r.size[0] / r.size[1]
        serves[key] = (task, [r])
        tasks.append(task)
    for task, group in serves.values():  # one file for several specs: the strictest limits of them all
        caps = [r.max_bitrate for r in group if r.max_bitrate]
        floors = [r.min_bitrate for r in group if r.min_bitrate]
        limits = [r.max_bytes for r in group if r.max_bytes]
        task.max_bitrate, task.max_bytes = (min(caps) if caps else None), (min(limits) if limits else None)
        task.min_bitrate = max(floors) if floors else None
    return tasks, serves


def _write(plan: Plan, renditions: list[Rendition], root: Path, lib, state, pool, compliance: mf.Compliance) -> tuple[mf.Manifest, int]:
    from studio import __version__

    tasks, serves = _tasks(plan, renditions, root, lib)
    for task in tasks:
        Path(task.out).parent.mkdir(parents=True, exist_ok=True)
    state.set_status(f"Making {len(tasks)} file(s) for {len(renditions)} rendition(s)")
    run_each(pool, make_rendition, tasks, state)
    catalog = load_catalog(lib)
    entries, items = [], []
    for task, group in serves.values():
        made = Path(task.out)
        facts = probe_file(made)
        for r in group:
            path = root / r.path
            if path != made:
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(made, path)
            findings = check_file(facts, catalog.get(r.spec_id))
            if any(f.severity == "error" for f in findings):
                raise StudioError(f"{r.path} does not pass {r.spec_id} after rendering: "
                                  + "; ".join(f.message for f in findings if f.severity == "error"))
            entries.append(_rendition_entry(r, path, facts, findings))
            items.append({"path": r.path, "file": path, "media": r.media, "spec": catalog.get(r.spec_id).name, "source": r.source_name,
                          "size": (facts.width, facts.height),
                          "duration_s": facts.duration_s, "errors": 0, "warnings": sum(f.severity == "warning" for f in findings)})
    state.set_status("Writing copy, sheets and contact sheet")
    copy_path = root / "copy" / "copy.json"
    copy_path.parent.mkdir()
    copy_path.write_text(json.dumps(plan.copy, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    entries.append(_plain_entry(root, copy_path, "copy"))
    entries += [_plain_entry(root, p, "sheet") for p in write_sheets(root / "sheets", plan, renditions)]
    sheet_items = sorted(items, key=lambda i: (i["spec"], i["path"]))
    entries += [_plain_entry(root, p, "contact_sheet")
                for p in write_contact_sheet(root / "contact-sheet", f"{plan.campaign_name}: ad package", sheet_items, plan.copy)]
    entries.sort(key=lambda e: e.path)
    copy_entries = [mf.CopyEntry(spec_id=c.spec_id, platform=c.platform, texts=c.copy, validation=mf.validation(c.findings))
                    for c in plan.copy_checks]
    manifest = mf.Manifest(
        created_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        studio_version=__version__, catalog_version=plan.catalog_version,
        campaign=mf.Campaign(id=plan.campaign_id, name=plan.campaign_name), platforms=plan.platforms,
        files=entries, copy_checks=copy_entries, notes=plan.notes, compliance=compliance,
        summary=mf.Summary(renditions=len(renditions), files=len(entries) + 1,
                           errors=sum(e.validation.errors for e in entries if e.validation) + sum(c.validation.errors for c in copy_entries),
                           warnings=sum(e.validation.warnings for e in entries if e.validation) + sum(c.validation.warnings for c in copy_entries)))
    (root / "manifest.json").write_text(manifest.dumps(), encoding="utf-8", newline="\n")
    return manifest, len(tasks)


def _rendition_entry(r: Rendition, path: Path, facts, findings) -> mf.FileEntry:
    return mf.FileEntry(
        path=r.path, role="rendition", sha256=mf.sha256(path), bytes=path.stat().st_size, spec_id=r.spec_id,
        platform=r.platform, media=r.media, width=facts.width, height=facts.height, duration_s=facts.duration_s,
        source=mf.Source(kind=r.source_kind, id=r.source_id, name=r.source_name, variant=r.variant, reframed=r.reframed),
        validation=mf.validation(findings))


def _plain_entry(root: Path, path: Path, role: str) -> mf.FileEntry:
    return mf.FileEntry(path=path.relative_to(root).as_posix(), role=role, sha256=mf.sha256(path), bytes=path.stat().st_size)


def _zip(folder: Path, target: Path, name: str) -> None:
    """The folder's files under name/ in the zip, in a fixed order with a fixed date (reproducible)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{name}/{path.relative_to(folder).as_posix()}", ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED if path.suffix in (".mp4", ".jpg", ".png", ".pdf") else zipfile.ZIP_DEFLATED
            with path.open("rb") as src, z.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
