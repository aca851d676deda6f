"""Reads for the publishing calendar: channels, posts as PostViews (with what the publisher did and
the warnings a planner should see), one post, and a post's review history.

Warnings, computed for every PostView:
- conflict: another post on the same channel closer than the channel's min_gap_minutes;
- spec: the creative (asset or composition) fails its placement's spec, as the export plan
  predicts it (cached per creative version and placement), or the post's copy does;
- compliance: open (unwaived) compliance errors for the campaign's copy or the post's creative;
- token: the channel's token expires before the post is due, or the platform's key is missing
  from the keyring ("unknown" when the keyring is locked: reading never prompts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from studio.core.db.models import (
    AdCopyRow,
    Asset,
    Channel,
    CompositionRow,
    Post,
    PostComment,
    PostDecision,
    Publication,
)
from studio.core.errors import BadInput, StudioError

# the keyring entry a platform's publishing needs; the others go out through the export package
CREDENTIALS = {"meta": "meta", "google": "google_ads"}
_SPEC_CACHE_SIZE = 512
_spec_cache: dict[tuple, list] = {}


@dataclass(frozen=True)
class Warning:
    kind: str  # conflict | spec | compliance | token
    severity: str  # error | warning | info
    message: str


@dataclass(frozen=True)
class ChannelInfo:
    id: int
    brand_id: int
    platform: str
    name: str
    account: str
    timezone: str
    min_gap_minutes: int
    slots: list
    token_expires_at: datetime | None


@dataclass(frozen=True)
class PostView:
    id: int
    campaign_id: int
    channel_id: int
    channel_name: str
    platform: str
    timezone: str
    kind: str
    title: str
    asset_id: int | None
    composition_id: int | None
    spec_id: str | None
    copy: dict
    local_time: datetime | None  # the wall clock in the channel's zone
    due_at: datetime | None  # UTC
    status: str  # the editorial state (draft | in_review | approved | scheduled | cancelled)
    publication_status: str | None  # what the publisher did (publishing | published | failed | waiting)
    error: str | None  # the platform's message when it failed
    idempotency_key: str = ""
    warnings: list[Warning] = field(default_factory=list)
    version: int = 0  # the row's version when read: an edit made from this view names it

    @property
    def shown_status(self) -> str:
        """What the user sees: the publisher's status when there is one, else the post's."""
        return self.publication_status or self.status


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str  # decision | comment
    author: str
    text: str  # the comment, or the decision's note ("" when none)
    decision: str | None = None  # approved | rejected


# ---- channels ---------------------------------------------------------------------------------
def _channel_info(row) -> ChannelInfo:
    return ChannelInfo(row.id, row.brand_id, row.platform, row.name, row.account, row.timezone, row.min_gap_minutes,
                       list(row.slots or []), row.token_expires_at)


def list_channels(lib, brand_id: int | None = None) -> list[ChannelInfo]:
    query = select(*Channel.__table__.c).order_by(Channel.brand_id, Channel.name, Channel.id)
    if brand_id is not None:
        query = query.where(Channel.brand_id == brand_id)
    with lib.read() as conn:
        return [_channel_info(r) for r in conn.execute(query)]


def get_channel(lib, channel_id: int) -> ChannelInfo:
    with lib.read() as conn:
        row = conn.execute(select(*Channel.__table__.c).where(Channel.id == channel_id)).first()
    if row is None:
        raise BadInput(f"There is no channel {channel_id}; `studio calendar channels` lists the ones there are.")
    return _channel_info(row)


# ---- posts ------------------------------------------------------------------------------------
_COLUMNS = (*Post.__table__.c, Channel.name.label("channel_name"), Channel.platform, Channel.timezone,
            Channel.min_gap_minutes, Channel.token_expires_at, Channel.brand_id,
            Publication.status.label("publication_status"), Publication.error)


def _query():
    return (select(*_COLUMNS).join(Channel, Channel.id == Post.channel_id)
            .outerjoin(Publication, Publication.post_id == Post.id))


def _bound(value: date | datetime, end: bool) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.combine(value + timedelta(days=1) if end else value, time.min)


def list_posts(lib, date_from: date | datetime, date_to: date | datetime, *, campaign_id: int | None = None,
               channel_id: int | None = None, brand_id: int | None = None, include_unscheduled: bool = False,
               secrets=None, with_warnings: bool = True) -> list[PostView]:
    """Posts whose wall-clock time falls from date_from to date_to (whole days, both included; a
    datetime bound is taken as given), in time order; with include_unscheduled, also the posts not
    on the calendar yet (last). `secrets`: an unlocked SecretStore for the token warnings (else the
    default store, which reads as "unknown" while locked). with_warnings=False skips the warnings
    (exports, which do not show them)."""
    start, end = _bound(date_from, False), _bound(date_to, True)
    if end <= start:
        raise BadInput(f"The range ends ({date_to}) before it starts ({date_from}); give the earlier date first.")
    timed = (Post.local_time >= start) & (Post.local_time < end)
    query = _query().where(timed | Post.local_time.is_(None) if include_unscheduled else timed)
    for column, value in ((Post.campaign_id, campaign_id), (Post.channel_id, channel_id), (Channel.brand_id, brand_id)):
        if value is not None:
            query = query.where(column == value)
    with lib.read() as conn:
        rows = conn.execute(query.order_by(Post.local_time.is_(None), Post.due_at, Post.id)).all()
    return _views(lib, rows, secrets, with_warnings)


def get_post(lib, post_id: int, *, secrets=None) -> PostView:
    with lib.read() as conn:
        row = conn.execute(_query().where(Post.id == post_id)).first()
    if row is None:
        raise BadInput(f"There is no post {post_id}; it may have been deleted (undo brings it back).")
    return _views(lib, [row], secrets)[0]


def post_history(lib, post_id: int) -> list[HistoryEntry]:
    """The post's decisions and comments, oldest first."""
    with lib.read() as conn:
        decisions = conn.execute(select(PostDecision.at, PostDecision.reviewer, PostDecision.note, PostDecision.decision)
                                 .where(PostDecision.post_id == post_id)).all()
        comments = conn.execute(select(PostComment.at, PostComment.author, PostComment.text).where(PostComment.post_id == post_id)).all()
    entries = [HistoryEntry(at, "decision", who, note or "", decision) for at, who, note, decision in decisions]
    entries += [HistoryEntry(at, "comment", who, text) for at, who, text in comments]
    return sorted(entries, key=lambda e: e.at)


def _views(lib, rows, secrets, with_warnings: bool = True) -> list[PostView]:
    warnings = Warnings(lib, rows, secrets) if with_warnings else None
    return [PostView(r.id, r.campaign_id, r.channel_id, r.channel_name, r.platform, r.timezone, r.kind, r.title, r.asset_id,
                     r.composition_id, r.spec_id, dict(r.copy or {}), r.local_time, r.due_at, r.status, r.publication_status,
                     r.error, r.idempotency_key, warnings.of(r) if warnings else [], r.version) for r in rows]


# ---- warnings ---------------------------------------------------------------------------------
class Warnings:
    """Works out the warnings of a batch of post rows, sharing the lookups they need."""

    def __init__(self, lib, rows, secrets):
        self._lib, self._secrets = lib, secrets
        self._neighbours = self._load_neighbours(rows)
        self._catalog = None
        self._blocking: dict[int, dict[str, list[str]]] = {}  # campaign -> target -> messages
        self._keys: dict[str, str] = {}  # keyring service -> present | missing | unknown

    def of(self, row) -> list[Warning]:
        if row.status == "cancelled" or row.publication_status == "published":
            return []
        return [*self._conflicts(row), *self._spec(row), *self._compliance(row), *self._token(row)]

    # conflict
    def _load_neighbours(self, rows) -> dict[int, list]:
        timed = [r for r in rows if r.due_at is not None and r.status != "cancelled"]
        if not timed:
            return {}
        slack = timedelta(minutes=max(r.min_gap_minutes for r in timed))
        with self._lib.read() as conn:
            found = conn.execute(select(Post.id, Post.channel_id, Post.title, Post.due_at).where(
                Post.channel_id.in_({r.channel_id for r in timed}), Post.status != "cancelled",
                Post.due_at >= min(r.due_at for r in timed) - slack, Post.due_at <= max(r.due_at for r in timed) + slack)).all()
        out: dict[int, list] = {}
        for post in found:
            out.setdefault(post.channel_id, []).append(post)
        return out

    def _conflicts(self, row) -> list[Warning]:
        if row.due_at is None:
            return []
        gap = timedelta(minutes=row.min_gap_minutes)
        out = []
        for other in self._neighbours.get(row.channel_id, []):
            apart = abs(other.due_at - row.due_at)
            if other.id != row.id and apart < gap:
                minutes = int(apart.total_seconds() // 60)
                when = f"{minutes} min {'before' if other.due_at < row.due_at else 'after'} this one" if minutes else "at the same time"
                out.append(Warning("conflict", "warning", f"{other.title!r} goes out on {row.channel_name} {when}; "
                                                          f"the channel wants {row.min_gap_minutes} min between posts."))
        return out

    # spec
    def _spec(self, row) -> list[Warning]:
        if not row.spec_id:
            return []
        from studio.core.specs.catalog import load_catalog
        from studio.core.specs.validate import check_copy

        if self._catalog is None:
            self._catalog = load_catalog(self._lib)
        try:
            spec = self._catalog.get(row.spec_id)
        except BadInput as exc:
            return [Warning("spec", "error", str(exc))]
        messages = self._creative_findings(row, spec) if spec.media in ("image", "video") else []
        if row.copy:
            # a field a placement takes several of (Google's headlines) holds one text a line
            texts = {k: [line for line in str(v).splitlines() if line.strip()] if _several(spec, k) else [v]
                     for k, v in row.copy.items()}
            findings = check_copy(texts, spec)
            messages = messages + [f"{f.message} {f.hint}" for f in findings if f.severity == "error"]
        return [Warning("spec", "error", m) for m in messages]

    def _creative_findings(self, row, spec) -> list[str]:
        if row.composition_id is None and row.asset_id is None:
            return [f"The post has no creative yet; drop an asset or a composition for {spec.name} on it."]
        key = self._creative_key(row, spec)
        if key is None:
            return ["Its creative is no longer in the library; pick another."]
        if key not in _spec_cache:
            if len(_spec_cache) >= _SPEC_CACHE_SIZE:
                _spec_cache.pop(next(iter(_spec_cache)))
            _spec_cache[key] = self._plan_findings(row, spec)
        return _spec_cache[key]

    def _creative_key(self, row, spec) -> tuple | None:
        """What the cached findings depend on: the creative's version, the spec and the catalog."""
        with self._lib.read() as conn:
            if row.composition_id is not None:
                version = conn.execute(select(CompositionRow.updated_at).where(CompositionRow.id == row.composition_id)).scalar()
                source = ("composition", row.composition_id)
            else:
                version = conn.execute(select(Asset.sha256).where(Asset.id == row.asset_id)).scalar()
                source = ("asset", row.asset_id)
        return None if version is None else (*source, version, spec.id, spec.model_dump_json(), self._catalog.version)

    def _plan_findings(self, row, spec) -> list[str]:
        """The export plan's prediction for this creative in this placement: its errors."""
        from studio.core.export.plan import make_plan

        by_composition = row.composition_id is not None
        try:
            plan = make_plan(self._lib, row.campaign_id, [spec.platform], spec_ids=[spec.id], catalog=self._catalog,
                             composition_ids=[row.composition_id] if by_composition else [],
                             asset_ids=[] if by_composition else [row.asset_id])
        except StudioError as exc:
            return [str(exc)]
        if not plan.renditions:
            media = "a video or a composition" if spec.media == "video" else "an image"
            return [f"{spec.name} needs {media}; this post's creative cannot feed it."]
        return [f"{f.message} {f.hint}".strip() for r in plan.renditions for f in r.findings if f.severity == "error"]

    # compliance
    def _compliance(self, row) -> list[Warning]:
        blocking = self._campaign_blocking(row.campaign_id)
        own = [f"composition:{row.composition_id}"] if row.composition_id is not None else []
        own += [f"asset:{row.asset_id}"] if row.asset_id is not None else []
        out = []
        for target, messages in blocking.items():
            if target.startswith("copy:") or target in own:
                what = "The campaign's copy" if target.startswith("copy:") else "Its creative"
                out += [Warning("compliance", "error", f"{what}: {m}") for m in messages]
        return out

    def _campaign_blocking(self, campaign_id: int) -> dict[str, list[str]]:
        if campaign_id not in self._blocking:
            from studio.core.compliance.store import findings_for

            with self._lib.read() as conn:
                copy_ids = conn.execute(select(AdCopyRow.id).where(AdCopyRow.campaign_id == campaign_id)).scalars().all()
                posts = conn.execute(select(Post.asset_id, Post.composition_id).where(Post.campaign_id == campaign_id)).all()
            targets = [f"copy:{i}" for i in copy_ids]
            targets += [f"asset:{a}" for a, _ in posts if a is not None] + [f"composition:{c}" for _, c in posts if c is not None]
            found: dict[str, list[str]] = {}
            for f in findings_for(self._lib, sorted(set(targets))):
                if f.blocking:
                    found.setdefault(f.target, []).append(f.finding.message)
            self._blocking[campaign_id] = found
        return self._blocking[campaign_id]

    # token
    def _token(self, row) -> list[Warning]:
        out = []
        if row.token_expires_at is not None and row.due_at is not None and row.token_expires_at <= row.due_at:
            out.append(Warning("token", "warning",
                               f"The {row.channel_name} token expires {row.token_expires_at:%Y-%m-%d %H:%M} UTC, before this post is due; "
                               "renew it in Settings ▸ Accounts & keys."))
        service = CREDENTIALS.get(row.platform)
        if service is not None:
            state = self._key_state(service)
            if state == "missing":
                out.append(Warning("token", "error", f"There is no {service.replace('_', ' ')} key in the keyring, so this post cannot "
                                                     "be published; add it in Settings ▸ Accounts & keys."))
            elif state == "unknown":
                out.append(Warning("token", "info", f"Whether the {service.replace('_', ' ')} key is there is unknown: the keyring is "
                                                    "locked. Unlock it in Settings ▸ Accounts & keys."))
        return out

    def _key_state(self, service: str) -> str:
        if service not in self._keys:
            self._keys[service] = key_state(self._secrets, service)
        return self._keys[service]


def _several(spec, field: str) -> bool:
    return any(f.name == field and f.max_count > 1 for f in spec.text_fields)


def key_state(store, service: str) -> str:
    """present | missing | unknown (the keyring is locked or will not answer), without prompting."""
    import keyring.errors

    from studio.core.secrets import SecretStore

    store = store if store is not None else SecretStore()
    try:
        if store.needs_master_password or _would_prompt(store._backend):
            return "unknown"
        return "present" if store.has(service) else "missing"
    except (StudioError, keyring.errors.KeyringError, RuntimeError):
        return "unknown"


def _would_prompt(backend) -> bool:
    """The Secret Service (GNOME Keyring, KWallet) asks to unlock a locked collection on any read."""
    if "SecretService" not in type(backend).__module__:
        return False
    from contextlib import closing

    import secretstorage

    try:
        with closing(secretstorage.dbus_init()) as bus:
            return secretstorage.get_default_collection(bus).is_locked()
    except secretstorage.exceptions.SecretStorageException:  # no daemon, no collection: reading would fail or prompt
        return True
