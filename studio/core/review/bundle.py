"""Review bundles: one zip file that carries briefs, their comment threads and approvals, and
proxies of chosen assets to a reviewer on another workstation, and the reviewer's reply back.

    manifest.json                    what the bundle holds (below), and every other member's sha256
    proxies/<asset sha256>.jpg|mp4|m4a

The manifest names the format and its version, the bundle's uid, the sending library's uid, its
kind ("bundle", or "reply" with the uid of the bundle it answers) and when it was made. It is
signed with HMAC-SHA256 under a key derived from the sending library's own signing key and the
bundle's uid; the bundle hands that key to the reviewer, so a reply proves it answers a bundle
this library sent and was not edited after the reviewer wrote it.

Opening a bundle checks it before anything is read into the studio: member names (no absolute
paths, no `..`), declared and actual sizes against caps (a zip bomb stops at the cap), members
the manifest does not list, and every member's hash. A bundle that fails any check is refused
whole with a BadInput that says what is wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import tempfile
import uuid
import weakref
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Self

from sqlalchemy import select

from studio.core import audit
from studio.core.briefs.sections import Approval, Comment, get_brief, list_comments
from studio.core.briefs.versions import list_versions
from studio.core.db import raw
from studio.core.db.models import Setting
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.ops.tx import actor
from studio.core.queries import get_asset
from studio.core.review.proxies import PROXY_EXT, make_proxy

FORMAT = "conext-review-bundle"
VERSION = 1
MANIFEST = "manifest.json"
UID_SETTING = "library.uid"
KEY_SETTING = "review.signing_key"  # signs bundles; not a credential for any outside service
_PROXY_NAME = re.compile(r"proxies/[0-9a-f]{64}\.(jpg|mp4|m4a)")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What a bundle may hold; past these it is refused (a zip bomb stops here)."""

    members: int = 2_000
    member_bytes: int = 512 << 20
    total_bytes: int = 2 << 30
    manifest_bytes: int = 16 << 20


@dataclass(frozen=True)
class BundleAsset:
    name: str
    kind: str
    sha256: str  # the original file's
    size_bytes: int  # the original file's
    proxy: Path | None  # the proxy, extracted into the bundle's own temporary folder


@dataclass(frozen=True)
class BundleBrief:
    id: int  # the brief's id in the sending library
    title: str
    status: str
    brand: str
    campaign: str | None
    sections: dict[str, str]  # section key -> Markdown
    deliverables: tuple[dict, ...]
    versions: tuple[dict, ...]  # {number, author, note, created_at}, newest first
    comments: tuple[Comment, ...]
    approvals: tuple[Approval, ...]


@dataclass
class Bundle:
    """An opened, verified bundle or reply: read-only. close() removes its temporary folder."""

    path: Path
    kind: str  # bundle | reply
    uid: str
    library_uid: str
    created_at: datetime
    author: str  # who sent it: the sender, or the reviewer of a reply
    reply_to: str | None
    briefs: tuple[BundleBrief, ...]
    assets: tuple[BundleAsset, ...]
    reply_key: str | None  # a bundle's key for signing its reply
    signature: str
    manifest: dict = field(repr=False)
    _folder: Path | None = field(default=None, repr=False)

    def brief(self, brief_id: int) -> BundleBrief:
        for brief in self.briefs:
            if brief.id == brief_id:
                return brief
        raise BadInput(f"The bundle holds no brief {brief_id}; it holds: {', '.join(f'{b.id} {b.title}' for b in self.briefs)}.")

    def close(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class BundleInfo:
    path: Path
    uid: str
    briefs: int
    assets: int
    size_bytes: int

    def as_dict(self) -> dict:
        return {"path": str(self.path), "uid": self.uid, "briefs": self.briefs, "assets": self.assets, "size_bytes": self.size_bytes}


# ---- the library's identity ---------------------------------------------------------------------
def library_identity(lib, *, create: bool = True) -> tuple[str, bytes] | None:
    """(uid, signing key) of the library, made on first need (not an undoable edit: undoing it would
    orphan every bundle sent). None when create is False and it has none yet."""
    found = _read_identity(lib)
    if found or not create:
        return found
    uid, key = str(uuid.uuid4()), os.urandom(32).hex()
    with lib.write_lock, lib.engine.begin() as conn:
        inserted = conn.execute(raw.insert(conn, Setting).values([{"key": UID_SETTING, "value": uid}, {"key": KEY_SETTING, "value": key}])
                                .on_conflict_do_nothing()).rowcount
        if inserted:
            audit.append(conn, actor(), "Create the library's identity for review bundles", {"library_uid": uid})
    return _read_identity(lib)


def _read_identity(lib) -> tuple[str, bytes] | None:
    with lib.read() as conn:
        values = dict(conn.execute(select(Setting.key, Setting.value).where(Setting.key.in_((UID_SETTING, KEY_SETTING)))).all())
    if UID_SETTING in values and KEY_SETTING in values:
        return values[UID_SETTING], bytes.fromhex(values[KEY_SETTING])
    return None


def reply_key(library_key: bytes, bundle_uid: str) -> str:
    return hmac.new(library_key, f"review-bundle:{bundle_uid}".encode(), hashlib.sha256).hexdigest()


def sign(manifest: dict, key: str) -> str:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(bytes.fromhex(key), payload, hashlib.sha256).hexdigest()


def signed_by(manifest: dict, key: str) -> bool:
    return hmac.compare_digest(sign(manifest, key), str(manifest.get("signature", "")))


# ---- writing --------------------------------------------------------------------------------------
def new_manifest(kind: str, uid: str, library_uid: str, author: str, **fields) -> dict:
    return {"format": FORMAT, "version": VERSION, "kind": kind, "uid": uid, "library_uid": library_uid,
            "created_at": datetime.now(UTC).isoformat(), "author": author, **fields}


def write_zip(out_path: Path, manifest: dict, files: dict[str, Path], key: str, state: JobState) -> int:
    """Write the members and the signed manifest to a temporary name, then rename it into place.
    Cancel or failure leaves nothing. Returns the file's size."""
    out_path = Path(out_path)
    if out_path.is_dir():
        raise BadInput(f"{out_path} is a folder; give the bundle a file name, e.g. {out_path / 'review.zip'}.")
    if not out_path.parent.is_dir():
        raise BadInput(f"The folder {out_path.parent} does not exist; create it or write the bundle elsewhere.")
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.partial")
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            members = {}
            for name, path in files.items():
                state.check()
                members[name] = {"sha256": _file_hash(path), "size": path.stat().st_size}
                zf.write(path, name, compress_type=zipfile.ZIP_STORED)  # proxies are compressed already
            manifest = {**manifest, "members": members}
            manifest["signature"] = sign(manifest, key)
            zf.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False), compress_type=zipfile.ZIP_DEFLATED)
        state.check()
        os.replace(tmp, out_path)
        return out_path.stat().st_size
    finally:
        tmp.unlink(missing_ok=True)


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def comment_dict(c: Comment) -> dict:
    return {"uid": c.uid, "brief_id": c.brief_id, "section": c.section, "author": c.author, "text": c.text,
            "created_at": _iso(c.created_at), "resolved": c.resolved, "parent_uid": c.parent_uid}


def approval_dict(a: Approval) -> dict:
    return {"uid": a.uid, "brief_id": a.brief_id, "approver": a.approver, "decision": a.decision, "note": a.note, "at": _iso(a.at)}


def _brief_entry(lib, brief_id: int) -> dict:
    brief = get_brief(lib, brief_id)
    return {"id": brief.id, "title": brief.title, "status": brief.summary.status, "brand": brief.summary.brand,
            "campaign": brief.summary.campaign, "sections": dict(brief.sections),
            "deliverables": [d.as_dict() for d in brief.deliverables],
            "versions": [{"number": v.number, "author": v.author, "note": v.note, "created_at": _iso(v.created_at)}
                         for v in list_versions(lib, brief_id)],
            "comments": [comment_dict(c) for c in list_comments(lib, brief_id)],
            "approvals": [approval_dict(a) for a in brief.approvals]}


def _asset_file(lib, asset_id: int):
    asset = get_asset(lib, asset_id)
    if asset is None:
        raise BadInput(f"There is no asset {asset_id}; `studio assets list` shows the assets there are.")
    if asset.trashed_at is not None:
        raise BadInput(f"Asset {asset_id} ({asset.name}) is in the trash; restore it before sending it for review.")
    path = lib.media_path(asset.sha256, asset.ext)
    if not path.is_file():
        raise BadInput(f"The file of asset {asset_id} ({asset.name}) is missing from the library's media folder; "
                       "run `studio library check` and re-import it.")
    return asset, path


def export_bundle(lib, brief_ids, asset_ids, out_path, *, state: JobState | None = None) -> BundleInfo:
    """Write a review bundle of the briefs and assets (by id) to out_path."""
    state = state or JobState()
    brief_ids, asset_ids = list(dict.fromkeys(brief_ids)), list(dict.fromkeys(asset_ids or ()))
    if not brief_ids:
        raise BadInput("A review bundle needs at least one brief; give one with --brief ID.")
    briefs = [_brief_entry(lib, b) for b in brief_ids]
    assets = [_asset_file(lib, a) for a in asset_ids]
    library_uid, library_key = library_identity(lib)
    uid = str(uuid.uuid4())
    key = reply_key(library_key, uid)
    with tempfile.TemporaryDirectory(prefix="studio-review-") as folder:
        files = {}
        for n, (asset, path) in enumerate(assets):
            state.check()
            state.set_status(f"Making a review proxy of {asset.name}")
            name = f"proxies/{asset.sha256}{PROXY_EXT[asset.kind]}"
            files[name] = make_proxy(asset.kind, path, Path(folder) / Path(name).name, _Share(state, n, len(assets)))
        state.set_status("Writing the bundle")
        manifest = new_manifest("bundle", uid, library_uid, actor(), reply_key=key, briefs=briefs, assets=[
            {"name": a.name, "kind": a.kind, "sha256": a.sha256, "size_bytes": a.size_bytes, "proxy": f"proxies/{a.sha256}{PROXY_EXT[a.kind]}"}
            for a, _ in assets])
        size = write_zip(Path(out_path), manifest, files, key, state)
    state.set_progress(1.0)
    return BundleInfo(Path(out_path), uid, len(briefs), len(assets), size)


class _Share(JobState):
    """The state for the n-th of count proxies: its progress moves the export's, its Cancel is the export's."""

    def __init__(self, parent: JobState, n: int, count: int):
        super().__init__(cancel_event=parent.cancel_event)
        self._parent, self._n, self._count = parent, n, count

    def set_progress(self, done: float, total: float | None = None) -> None:
        super().set_progress(done, total)
        self._parent.set_progress(0.95 * (self._n + (self.progress or 0)) / self._count)


@dataclass
class ExportParams:
    library_root: str
    brief_ids: list[int]
    asset_ids: list[int]
    out_path: str


def export_job(params: ExportParams, state: JobState) -> dict:
    """export_bundle as a job runner's fn(params, state), beside the studio that holds the library."""
    from studio.core.library import Library

    with Library.open(params.library_root, lock=False, auto_backup=False) as lib:
        return export_bundle(lib, params.brief_ids, params.asset_ids, params.out_path, state=state).as_dict()


# ---- reading --------------------------------------------------------------------------------------
def open_bundle(path, *, limits: Limits = Limits()) -> Bundle:
    """Open and verify a bundle or reply (see the module's notes); BadInput says what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path} is not a file; give the review bundle's path.")
    folder = Path(tempfile.mkdtemp(prefix="studio-review-"))
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = _read_members(zf, folder, limits, path.name)
        bundle = _bundle(path, manifest, folder)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise _refuse(path.name, f"it is not a zip file, or it is damaged ({exc})") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    weakref.finalize(bundle, shutil.rmtree, folder, True)
    return bundle


def _refuse(name: str, why: str) -> BadInput:
    return BadInput(f"{name} is not a review bundle the studio can open: {why}. Nothing was imported; ask the sender for a fresh copy.")


def _read_members(zf: zipfile.ZipFile, folder: Path, limits: Limits, name: str) -> dict:
    infos = zf.infolist()
    if len(infos) > limits.members:
        raise _refuse(name, f"it has {len(infos)} members, more than the {limits.members} a bundle may hold")
    seen, total = set(), 0
    for info in infos:
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if info.filename.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", info.filename) or ".." in parts:
            raise _refuse(name, f"the member {info.filename!r} points outside the bundle (path traversal)")
        if info.filename in seen:
            raise _refuse(name, f"the member {info.filename!r} appears twice")
        seen.add(info.filename)
        cap = limits.manifest_bytes if info.filename == MANIFEST else limits.member_bytes
        if info.file_size > cap:
            raise _refuse(name, f"the member {info.filename!r} unpacks to {info.file_size:,} bytes, more than the {cap:,} allowed")
        total += info.file_size
        if total > limits.total_bytes:
            raise _refuse(name, f"its members unpack to more than the {limits.total_bytes:,} bytes allowed")
    if MANIFEST not in seen:
        raise _refuse(name, "it has no manifest.json")
    manifest = _parse_manifest(b"".join(_chunks(zf, zf.getinfo(MANIFEST), limits.manifest_bytes, name)), name)
    members = manifest["members"]
    extra = sorted(seen - {MANIFEST} - set(members))
    if extra:
        raise _refuse(name, f"the member {extra[0]!r} is not listed in its manifest (it was added after the bundle was made)")
    for member, expected in members.items():
        if not _PROXY_NAME.fullmatch(member) or not isinstance(expected, dict):
            raise _refuse(name, f"its manifest lists a member named {member!r}, which a bundle never holds")
        if member not in seen:
            raise _refuse(name, f"the member {member!r} listed in its manifest is missing")
        digest = hashlib.sha256()
        with open(folder / PurePosixPath(member).name, "wb") as out:
            for chunk in _chunks(zf, zf.getinfo(member), limits.member_bytes, name):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected.get("sha256"):
            raise _refuse(name, f"the member {member!r} does not match its hash in the manifest (it was changed after the bundle was made)")
    return manifest


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, name: str):
    """The member's bytes, reading no further than its declared size or the cap (a lying header stops here)."""
    limit, got = min(info.file_size, cap), 0
    with zf.open(info) as f:
        while chunk := f.read(min(_CHUNK, limit - got + 1)):
            got += len(chunk)
            if got > limit:
                raise _refuse(name, f"the member {info.filename!r} holds more than it declares")
            yield chunk


_FIELDS = {"format": str, "version": int, "kind": str, "uid": str, "library_uid": str, "created_at": str, "author": str,
           "members": dict, "briefs": list, "signature": str}


def _parse_manifest(data: bytes, name: str) -> dict:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(name, f"its manifest.json is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(name, "its manifest.json does not describe a Conext Studio review bundle")
    if isinstance(manifest.get("version"), int) and manifest["version"] > VERSION:
        raise _refuse(name, f"it was made by a newer studio (format version {manifest['version']}); update the studio to open it")
    for key, kind in _FIELDS.items():
        if not isinstance(manifest.get(key), kind):
            raise _refuse(name, f"its manifest lacks {key!r} or has the wrong kind of value there")
    if manifest["kind"] not in ("bundle", "reply"):
        raise _refuse(name, f"its manifest names an unknown kind {manifest['kind']!r}")
    return manifest


def _bundle(path: Path, m: dict, folder: Path) -> Bundle:
    try:
        if m["kind"] == "bundle" and not signed_by(m, m["reply_key"]):
            raise _refuse(path.name, "its manifest was changed after the bundle was made (the signature does not match)")
        briefs = tuple(_brief(b) for b in m["briefs"])
        assets = tuple(BundleAsset(a["name"], a["kind"], a["sha256"], int(a["size_bytes"]),
                                   folder / PurePosixPath(a["proxy"]).name if a.get("proxy") in m["members"] else None)
                       for a in m.get("assets", []))
        return Bundle(path, m["kind"], m["uid"], m["library_uid"], datetime.fromisoformat(m["created_at"]), m["author"],
                      m.get("reply_to"), briefs, assets, m.get("reply_key"), m["signature"], m, folder)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _refuse(path.name, f"its manifest is incomplete or damaged ({type(exc).__name__}: {exc})") from None


def _brief(b: dict) -> BundleBrief:
    comments = tuple(Comment(c["uid"], b["id"], c.get("section"), c["author"], c["text"], datetime.fromisoformat(c["created_at"]),
                             bool(c.get("resolved")), c.get("parent_uid")) for c in b.get("comments", []))
    approvals = tuple(Approval(a["uid"], b["id"], a["approver"], a["decision"], a.get("note"), datetime.fromisoformat(a["at"]))
                      for a in b.get("approvals", []))
    return BundleBrief(int(b["id"]), b["title"], b.get("status", "in_review"), b.get("brand", ""), b.get("campaign"),
                       dict(b.get("sections", {})), tuple(b.get("deliverables", [])), tuple(b.get("versions", [])), comments, approvals)
