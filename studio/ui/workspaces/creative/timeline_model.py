"""The Creative workspace's controller: the loaded Composition, the playhead and the
selection, and every edit, each one `save_composition` call (one undoable step).

Edits copy the document, change the copy, and save it; drags show a preview copy while the
mouse moves and save once on release with a merge key per gesture. The controller reloads
from the library when the bus says "compositions" changed, so Edit ▸ Undo shows at once.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

from pydantic import ValidationError
from PySide6.QtCore import QObject, Signal

from studio.core.errors import StudioError
from studio.core.ops import compositions as comp_ops
from studio.core.queries import AssetInfo, list_assets
from studio.core.timeline.model import (
    Animated, Composition, Keyframe, Marker, MediaClip, ShapeClip, TextClip, Track, readable,
)
from studio.core.timeline.store import load_composition

IMAGE_SECONDS = 5.0  # how long a still lasts when it is dropped
TITLE_SECONDS = 3.0  # a new text or shape
ASPECTS = {  # label -> (width, height)
    "9:16 Vertical (1080×1920)": (1080, 1920),
    "1:1 Square (1080×1080)": (1080, 1080),
    "4:5 Portrait (1080×1350)": (1080, 1350),
    "16:9 Landscape (1920×1080)": (1920, 1080),
}
TRACK_NAMES = {"video": "Video", "overlay": "Overlay", "text": "Text", "audio": "Audio"}
ANIMATED_PROPS = ("position", "scale", "rotation", "opacity")


# ---- time ---------------------------------------------------------------------------------
def timecode(frame: int, fps: tuple[int, int]) -> str:
    """HH:MM:SS:FF at the nominal whole frame rate."""
    base = max(1, round(fps[0] / fps[1]))
    frame = max(0, int(frame))
    seconds, ff = divmod(frame, base)
    hh, rest = divmod(seconds, 3600)
    return f"{hh:02d}:{rest // 60:02d}:{rest % 60:02d}:{ff:02d}"


def parse_timecode(text: str, fps: tuple[int, int]) -> int | None:
    """'00:00:05:12', '5:12' (SS:FF), '120' (frames), '2.5s' or '2.5' (seconds); None if not one."""
    base = max(1, round(fps[0] / fps[1]))
    text = text.strip().lower()
    try:
        if text.endswith("s"):
            return round(float(text[:-1]) * fps[0] / fps[1])
        if ":" in text:
            parts = [int(p or 0) for p in text.split(":")]
            ff, rest = parts[-1], parts[:-1][::-1]
            seconds = sum(v * m for v, m in zip(rest, (1, 60, 3600)))
            return seconds * base + ff
        if "." in text:
            return round(float(text) * fps[0] / fps[1])
        return int(text)
    except ValueError:
        return None


# ---- what goes where ------------------------------------------------------------------------
def clip_role(clip, asset: AssetInfo | None = None) -> str:
    """visual / audio / text / shape: decides the tracks a clip may sit on and its colour."""
    if isinstance(clip, TextClip):
        return "text"
    if isinstance(clip, ShapeClip):
        return "shape"
    if asset is not None and asset.kind == "audio":
        return "audio"
    if asset is None and clip.path and clip.path.lower().rsplit(".", 1)[-1] in {"wav", "mp3", "aac", "m4a", "flac", "ogg"}:
        return "audio"
    return "visual"


ROLE_TRACKS = {"visual": ("video", "overlay"), "audio": ("audio",), "text": ("text", "overlay"), "shape": ("overlay", "text")}


def compatible(track_kind: str, role: str) -> bool:
    return track_kind in ROLE_TRACKS[role]


def source_limit(comp: Composition, clip: MediaClip, asset: AssetInfo | None) -> int | None:
    """The most frames the clip can last from its source_in (None: no limit, e.g. a still)."""
    if asset is None or asset.kind == "image" or not asset.duration:
        return None
    left = max(0.0, asset.duration - clip.source_in)
    return max(1, math.floor(left / clip.speed * comp.rate + 1e-6))


def display_tracks(comp: Composition) -> list[Track]:
    """Top to bottom as the timeline shows them: picture layers (top layer first), then audio."""
    visual = [t for t in reversed(comp.tracks) if t.kind != "audio"]
    audio = [t for t in comp.tracks if t.kind == "audio"]
    return visual + audio


def default_tracks() -> list[Track]:
    return [Track(kind="video", name="Video 1"), Track(kind="overlay", name="Overlay 1"),
            Track(kind="text", name="Text 1"), Track(kind="audio", name="Audio 1")]


def new_composition(name: str, width: int, height: int, seconds: float = 15.0, fps: tuple[int, int] = (30, 1)) -> Composition:
    return Composition(name=name, width=width, height=height, fps=fps, duration=round(seconds * fps[0] / fps[1]), tracks=default_tracks())


def add_track(comp: Composition, kind: str) -> Track:
    """A new track of a kind, placed sensibly: audio at the bottom group, pictures on top."""
    count = sum(1 for t in comp.tracks if t.kind == kind)
    track = Track(kind=kind, name=f"{TRACK_NAMES[kind]} {count + 1}")
    tracks = list(comp.tracks)
    if kind == "audio":
        tracks.append(track)
    else:
        above = max((i for i, t in enumerate(tracks) if t.kind != "audio"), default=-1)
        tracks.insert(above + 1, track)
    comp.tracks = tracks
    return next(t for t in comp.tracks if t.id == track.id)


def fix_transitions(comp: Composition) -> None:
    """After an edit, transitions follow their clips' overlap, or go if the clips no longer overlap."""
    for track in comp.tracks:
        clips = {c.id: c for c in track.clips}
        kept = []
        for tr in track.transitions:
            a, b = clips.get(tr.a), clips.get(tr.b)
            if a is None or b is None:
                continue
            overlap = a.end - b.start
            if overlap <= 0 or b.start < a.start:
                continue
            if overlap != tr.duration:
                tr = tr.model_copy(update={"duration": overlap})
            kept.append(tr)
        if kept != list(track.transitions):
            track.transitions = kept


def _split_animated(prop: Animated, offset: int) -> tuple[Animated, Animated]:
    if not prop.keyframes:
        return prop.model_copy(deep=True), prop.model_copy(deep=True)
    at = prop.at(offset)
    left = [k.model_copy() for k in prop.keyframes if k.frame < offset]
    right = [k.model_copy(update={"frame": k.frame - offset}) for k in prop.keyframes if k.frame > offset]
    if prop.keyframes[-1].frame >= offset:
        left.append(Keyframe(frame=offset, value=at))
    if prop.keyframes[0].frame <= offset:
        right.insert(0, Keyframe(frame=0, value=at))
    return Animated(value=prop.value, keyframes=left), Animated(value=prop.value, keyframes=right)


def split_clip(comp: Composition, track: Track, clip, frame: int) -> str | None:
    """Cut clip at a timeline frame; returns the new right-hand clip's id (None: not inside)."""
    if not clip.start < frame < clip.end:
        return None
    offset = frame - clip.start
    right = type(clip).model_validate({**clip.model_dump(), "id": _fresh_id(), "start": frame, "duration": clip.end - frame})
    left = type(clip).model_validate({**clip.model_dump(), "duration": offset})
    for name in ANIMATED_PROPS:
        a, b = _split_animated(getattr(clip.transform, name), offset)
        setattr(left.transform, name, a)
        setattr(right.transform, name, b)
    if isinstance(clip, MediaClip):
        right.source_in = clip.source_in + comp.seconds(offset) * clip.speed
        left.volume, right.volume = _split_animated(clip.volume, offset)
        left.fade_out, right.fade_in = 0.0, 0.0
    clips = []
    for c in track.clips:
        clips.extend([left, right] if c.id == clip.id else [c])
    track.clips = clips
    track.transitions = [tr.model_copy(update={"a": right.id}) if tr.a == clip.id else tr for tr in track.transitions]
    return right.id


def _fresh_id() -> str:
    from studio.core.timeline.model import new_id

    return new_id()


class TimelineController(QObject):
    composition_changed = Signal()  # the document changed (an edit, a preview, a reload): redraw
    loaded = Signal(object)  # a composition id (or None) was loaded
    playhead_changed = Signal(int)
    selection_changed = Signal()
    assets_changed = Signal()
    marks_changed = Signal()  # the I/O (loop) marks

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.composition_id: int | None = None
        self.composition: Composition | None = None
        self.playhead = 0
        self.selected: list[str] = []  # clip ids, in click order (the last is the "primary")
        self.previewing = False
        self.in_point: int | None = None  # I/O marks: the loop region (view state, not saved)
        self.out_point: int | None = None
        self._saved: Composition | None = None  # what the library holds while a preview is shown
        self._assets: dict[int, AssetInfo | None] = {}
        self._gestures = itertools.count(1)
        ctx.bus.changed.connect(self._on_bus_changed)

    # ---- loading --------------------------------------------------------------------------
    def load(self, composition_id: int | None) -> None:
        self.previewing = False
        if composition_id is None:
            self.composition_id, self.composition = None, None
        else:
            try:
                comp = load_composition(self.ctx.lib, composition_id)
            except StudioError as exc:
                self.ctx.notify(str(exc), "error")
                comp, composition_id = None, None
            if composition_id != self.composition_id:
                self.selected = []
                self.playhead = 0
                self.in_point = self.out_point = None
            self.composition_id, self.composition = composition_id, comp
            if comp is not None:
                self._cache_assets(comp)
        self.loaded.emit(self.composition_id)
        self.composition_changed.emit()
        self.selection_changed.emit()
        self.playhead_changed.emit(self.playhead)

    def reload(self) -> None:
        if self.composition_id is None or self.previewing:
            return
        try:
            comp = load_composition(self.ctx.lib, self.composition_id)
        except StudioError:  # deleted (undo of a create, or a delete): the view picks another
            self.composition_id, self.composition = None, None
            self.selected = []
            self.loaded.emit(None)
            self.composition_changed.emit()
            self.selection_changed.emit()
            return
        if comp == self.composition:
            return
        self.composition = comp
        self._cache_assets(comp)
        ids = {c.id for _t, c in comp.clips()}
        kept = [i for i in self.selected if i in ids]
        if kept != self.selected:
            self.selected = kept
            self.selection_changed.emit()
        self.playhead = min(self.playhead, self.end_frame())
        self.composition_changed.emit()

    def _on_bus_changed(self, result) -> None:
        changes = set(result.changes)
        if "assets" in changes:
            self._assets.clear()
            if self.composition is not None:
                self._cache_assets(self.composition)
            self.assets_changed.emit()
        if "compositions" in changes:
            self.reload()

    # ---- assets ---------------------------------------------------------------------------
    def _cache_assets(self, comp: Composition) -> None:
        wanted = {c.asset_id for _t, c in comp.clips() if isinstance(c, MediaClip) and c.asset_id is not None}
        missing = [i for i in wanted if i not in self._assets]
        if missing:
            found = {a.id: a for a in list_assets(self.ctx.lib, ids=missing)}
            for i in missing:
                self._assets[i] = found.get(i)

    def asset(self, asset_id: int | None) -> AssetInfo | None:
        if asset_id is None:
            return None
        if asset_id not in self._assets:
            found = list_assets(self.ctx.lib, ids=[asset_id])
            self._assets[asset_id] = found[0] if found else None
        return self._assets[asset_id]

    def role(self, clip) -> str:
        return clip_role(clip, self.asset(getattr(clip, "asset_id", None)))

    # ---- playhead and selection -------------------------------------------------------------
    def end_frame(self) -> int:
        comp = self.composition
        if comp is None:
            return 0
        return max([comp.duration] + [c.end for _t, c in comp.clips()])

    def set_playhead(self, frame: int) -> None:
        frame = max(0, min(int(frame), max(0, self.end_frame() - 1) if self.composition else 0))
        if frame != self.playhead:
            self.playhead = frame
            self.playhead_changed.emit(frame)

    def set_marks(self, in_point: int | None, out_point: int | None) -> None:
        if in_point is not None and out_point is not None and out_point < in_point:
            in_point, out_point = out_point, in_point  # marking past the other mark swaps them
        if (in_point, out_point) != (self.in_point, self.out_point):
            self.in_point, self.out_point = in_point, out_point
            self.marks_changed.emit()

    def select(self, ids: list[str], mode: str = "replace") -> None:
        """mode: replace / add / toggle."""
        if mode == "replace":
            new = list(dict.fromkeys(ids))
        elif mode == "add":
            new = list(dict.fromkeys(self.selected + list(ids)))
        else:
            new = [i for i in self.selected if i not in ids] + [i for i in ids if i not in self.selected]
        if new != self.selected:
            self.selected = new
            self.selection_changed.emit()

    def selected_clips(self):
        if self.composition is None:
            return []
        return [(t, c) for t, c in self.composition.clips() if c.id in self.selected]

    def primary(self):
        """The last clicked selected clip, (track, clip) or (None, None)."""
        if self.composition is None or not self.selected:
            return None, None
        return self.composition.find_clip(self.selected[-1])

    # ---- saving -----------------------------------------------------------------------------
    def next_gesture(self) -> str:
        return f"drag-{next(self._gestures)}"

    def preview(self, comp: Composition) -> None:
        """Show comp without saving (while a drag is under way)."""
        if not self.previewing:
            self._saved = self.composition
            self.previewing = True
        self.composition = comp
        self.composition_changed.emit()

    def cancel_preview(self) -> None:
        if self.previewing:
            self.previewing = False
            self.composition = self._saved
            self._saved = None
            self.composition_changed.emit()
            self.reload()

    def commit(self, comp: Composition, label: str, merge_key: str | None = None) -> bool:
        """Save comp as one undoable step; on a bad edit say why and keep what was there."""
        if self.composition_id is None:
            return False
        before = self._saved if self.previewing else self.composition
        self.previewing = False
        self.in_point: int | None = None  # I/O marks: the loop region (view state, not saved)
        self.out_point: int | None = None
        self._saved = None
        fix_transitions(comp)
        try:
            comp_ops.save_composition(self.ctx.lib, self.composition_id, comp, label, merge_key=merge_key)
        except StudioError as exc:
            self.ctx.notify(str(exc), "error")
            self.composition = before
            self.composition_changed.emit()
            return False
        self.composition = Composition.from_document(comp.to_document())
        self._cache_assets(self.composition)
        ids = {c.id for _t, c in self.composition.clips()}
        if any(i not in ids for i in self.selected):
            self.selected = [i for i in self.selected if i in ids]
            self.selection_changed.emit()
        self.composition_changed.emit()
        return True

    def edit(self, label: str, change: Callable[[Composition], object], merge_key: str | None = None) -> bool:
        """Copy the document, let change() edit the copy (False: nothing to do), save it."""
        if self.composition is None:
            return False
        comp = self.composition.model_copy(deep=True)
        try:
            if change(comp) is False:
                return False
        except ValidationError as exc:
            self.ctx.notify(f"That edit is not possible: {readable(exc)}", "warning")
            return False
        except ValueError as exc:
            self.ctx.notify(f"That edit is not possible: {exc}", "warning")
            return False
        return self.commit(comp, label, merge_key)

    # ---- compositions -----------------------------------------------------------------------
    def create(self, name: str, width: int, height: int, campaign_id: int | None = None) -> int | None:
        try:
            result = comp_ops.create_composition(self.ctx.lib, new_composition(name, width, height), campaign_id)
        except StudioError as exc:
            self.ctx.notify(str(exc), "error")
            return None
        self.load(result.value)
        return result.value

    def rename(self, name: str) -> bool:
        name = name.strip()
        if not name or self.composition is None or name == self.composition.name:
            return False
        return self.edit("Rename composition", lambda c: setattr(c, "name", name))

    def delete(self) -> bool:
        if self.composition_id is None:
            return False
        try:
            comp_ops.delete_composition(self.ctx.lib, self.composition_id)
        except StudioError as exc:
            self.ctx.notify(str(exc), "error")
            return False
        name = self.composition.name if self.composition else "the composition"
        self.ctx.notify(f"Deleted {name} (Edit ▸ Undo brings it back)")
        self.load(None)
        return True

    # ---- adding -----------------------------------------------------------------------------
    def _target_track(self, comp: Composition, role: str, track_id: str | None) -> Track:
        track = next((t for t in comp.tracks if t.id == track_id), None)
        if track is not None and compatible(track.kind, role) and not track.locked:
            return track
        preferred = ROLE_TRACKS[role]
        for kind in preferred:  # the first unlocked track of the preferred kind
            for t in display_tracks(comp):
                if t.kind == kind and not t.locked:
                    return t
        return add_track(comp, preferred[0])

    def add_assets(self, asset_ids: list[int], track_id: str | None, frame: int) -> list[str]:
        """Place assets one after another from frame on the track (or a compatible one)."""
        infos = {a.id: a for a in list_assets(self.ctx.lib, ids=list(asset_ids))}
        assets = [infos[i] for i in asset_ids if i in infos]
        if not assets:
            return []
        for a in assets:
            self._assets[a.id] = a
        placed: list[str] = []

        def change(comp: Composition):
            at = max(0, int(frame))
            for a in assets:
                role = "audio" if a.kind == "audio" else "visual"
                track = self._target_track(comp, role, track_id)
                seconds = IMAGE_SECONDS if a.kind == "image" or not a.duration else a.duration
                duration = max(1, math.floor(seconds * comp.rate + 1e-6))
                clip = MediaClip(name=a.name, asset_id=a.id, start=at, duration=duration, fit="cover" if a.kind != "audio" else "contain")
                track.clips = [*track.clips, clip]
                placed.append(clip.id)
                at += duration

        what = assets[0].name if len(assets) == 1 else f"{len(assets)} clips"
        if self.edit(f"Add {what}", change):
            self.select(placed)
            return placed
        return []

    def add_text(self, text: str = "Your headline") -> str | None:
        return self._add_generated("text", lambda comp, start: TextClip(name="Text", text=text, start=start, duration=comp.frames(TITLE_SECONDS)))

    def add_shape(self) -> str | None:
        return self._add_generated("shape", lambda comp, start: ShapeClip(name="Shape", start=start, duration=comp.frames(TITLE_SECONDS), fill="#6E6AF6", shape="rounded_rectangle"))

    def _add_generated(self, role: str, make) -> str | None:
        made: list[str] = []

        def change(comp: Composition):
            track = self._target_track(comp, role, None)
            clip = make(comp, self.playhead)
            track.clips = [*track.clips, clip]
            made.append(clip.id)

        if self.edit(f"Add {role}", change):
            self.select(made)
            return made[0]
        return None

    # ---- editing ----------------------------------------------------------------------------
    def delete_selected(self, ripple: bool = False) -> bool:
        ids = set(self.selected)
        if not ids:
            return False

        def change(comp: Composition):
            for track in comp.tracks:
                gone = sorted((c for c in track.clips if c.id in ids), key=lambda c: c.start, reverse=True)
                if not gone or track.locked:
                    continue
                clips = [c for c in track.clips if c.id not in ids]
                if ripple:  # close each gap: later clips move left by the deleted clip's length
                    for g in gone:
                        for c in clips:
                            if c.start >= g.end:
                                c.start = c.start - g.duration
                            elif c.start > g.start:
                                c.start = g.start
                track.clips = clips

        ok = self.edit("Ripple delete" if ripple else ("Delete clip" if len(ids) == 1 else f"Delete {len(ids)} clips"), change)
        if ok:
            self.select([])
        return ok

    def split_at_playhead(self) -> bool:
        frame = self.playhead
        wanted = set(self.selected)
        new_ids: list[str] = []

        def change(comp: Composition):
            targets = [(t, c) for t, c in comp.clips() if c.start < frame < c.end and not t.locked and (not wanted or c.id in wanted)]
            if not targets:
                return False
            for track, clip in targets:
                new = split_clip(comp, track, clip, frame)
                if new:
                    new_ids.append(new)

        if self.edit("Split", change):
            if wanted:
                self.select(list(wanted) + new_ids)
            return True
        return False

    def add_marker(self, label: str = "") -> bool:
        frame = self.playhead

        def change(comp: Composition):
            if any(m.frame == frame for m in comp.markers):
                comp.markers = [m for m in comp.markers if m.frame != frame]  # M on a marker removes it
            else:
                comp.markers = sorted([*comp.markers, Marker(frame=frame, label=label or f"Marker {len(comp.markers) + 1}")], key=lambda m: m.frame)

        return self.edit("Marker", change)

    def set_track_flag(self, track_id: str, flag: str, value: bool) -> bool:
        def change(comp: Composition):
            track = next(t for t in comp.tracks if t.id == track_id)
            setattr(track, flag, value)

        return self.edit(f"{flag.capitalize()} track", change)

    def update_clip(self, clip_id: str, change: Callable, label: str, merge_key: str | None = None) -> bool:
        def apply(comp: Composition):
            track, clip = comp.find_clip(clip_id)
            if clip is None:
                return False
            return change(comp, track, clip)

        return self.edit(label, apply, merge_key)

    def set_animated(self, clip_id: str, prop: str, value, merge_key: str | None = None) -> bool:
        """Set a transform property: the keyframe at the playhead when it is animated, else its value."""
        def change(comp, _track, clip):
            anim: Animated = getattr(clip.transform, prop)
            local = self.playhead - clip.start
            if anim.keyframes and 0 <= local < clip.duration:
                keys = [k for k in anim.keyframes if k.frame != local] + [Keyframe(frame=local, value=value)]
                setattr(clip.transform, prop, Animated(value=anim.value, keyframes=keys))
            elif anim.keyframes:
                return False  # animated, playhead outside the clip: nothing sensible to change
            else:
                setattr(clip.transform, prop, Animated(value=value))

        return self.update_clip(clip_id, change, f"Change {prop}", merge_key)

    def toggle_keyframe(self, clip_id: str, prop: str) -> bool:
        """Add a keyframe at the playhead holding the current value, or remove the one there."""
        def change(comp, _track, clip):
            local = self.playhead - clip.start
            if not 0 <= local < clip.duration:
                return False
            anim: Animated = getattr(clip.transform, prop)
            if any(k.frame == local for k in anim.keyframes):
                keys = [k for k in anim.keyframes if k.frame != local]
                # the last keyframe going: the property keeps the value it had there
                setattr(clip.transform, prop, Animated(value=anim.value if keys else anim.at(local), keyframes=keys))
            else:
                keys = [*anim.keyframes, Keyframe(frame=local, value=anim.at(local))]
                setattr(clip.transform, prop, Animated(value=anim.value, keyframes=keys))

        return self.update_clip(clip_id, change, f"Keyframe {prop}")
