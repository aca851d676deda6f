"""The Creative workspace's controller: the loaded Composition, the playhead and the
selection, and every edit, each one `save_composition` call (one undoable step).

Edits copy the document, change the copy, and save it; drags show a preview copy while the
mouse moves and save once on release with a merge key per gesture. The controller reloads
from the library when the bus says "compositions" changed, so Edit ▸ Undo shows at once.

It remembers the row version it loaded and saves with it: when a colleague saved the composition
in between, the save is refused (ConflictError) and the window asks which version to keep.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

from pydantic import ValidationError
from PySide6.QtCore import QObject, Signal

from studio.core.errors import ConflictError, StudioError
from studio.core.ops import compositions as comp_ops
from studio.core.ops.kata import list_recipes
from studio.core.queries import AssetInfo, list_assets
from studio.core.render.media import MediaResolver
from studio.core.timeline import edits, variants
from studio.core.timeline.edits import fix_transitions, split_clip
from studio.core.timeline.model import (
    TRACK_NAMES, Animated, Composition, KataClip, Keyframe, Marker, MediaClip, ShapeClip, TextClip, Track, readable,
)
from studio.core.timeline.store import read_composition
from studio.ui.bridge import when_finished

IMAGE_SECONDS = 5.0  # how long a still lasts when it is dropped
TITLE_SECONDS = 3.0  # a new text or shape
ASPECTS = {  # label -> (width, height)
    "9:16 Vertical (1080×1920)": (1080, 1920),
    "1:1 Square (1080×1080)": (1080, 1080),
    "4:5 Portrait (1080×1350)": (1080, 1350),
    "16:9 Landscape (1920×1080)": (1920, 1080),
}
TRANSITION_NAMES = {"crossfade": "Crossfade", "dip": "Dip to black", "slide": "Slide", "wipe": "Wipe"}


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
    if isinstance(clip, KataClip):
        return "visual"
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
    return edits.source_frames(comp, clip, asset.duration)


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


class TimelineController(QObject):
    composition_changed = Signal()  # the document changed (an edit, a preview, a reload): redraw
    loaded = Signal(object)  # a composition id (or None) was loaded
    playhead_changed = Signal(int)
    selection_changed = Signal()
    assets_changed = Signal()
    marks_changed = Signal()  # the I/O (loop) marks
    variant_changed = Signal()  # another aspect variant is shown and edited

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.composition_id: int | None = None
        self.composition: Composition | None = None
        self.version: int | None = None  # the stored row version self.composition was read or saved as
        self.playhead = 0
        self.selected: list[str] = []  # clip ids, in click order (the last is the "primary")
        self.previewing = False
        self.in_point: int | None = None  # I/O marks: the loop region (view state, not saved)
        self.out_point: int | None = None
        self._saved: Composition | None = None  # what the library holds while a preview is shown
        self._assets: dict[int, AssetInfo | None] = {}
        self._recipe_names: dict[int, str] | None = None  # Kata recipes by id, read when first needed
        self._gestures = itertools.count(1)
        self.variant: str | None = None  # the aspect variant shown and edited (None: the main layout)
        self._display: tuple = (None, None, None)  # (composition, variant, as the variant lays it out)
        self.composition_changed.connect(self._drop_gone_variant)  # first, so views never see a variant that went
        ctx.bus.changed.connect(self._on_bus_changed)

    # ---- loading --------------------------------------------------------------------------
    def load(self, composition_id: int | None) -> None:
        self.previewing = False
        if composition_id is None:
            self.composition_id, self.composition, self.version = None, None, None
        else:
            try:
                comp, self.version = read_composition(self.ctx.lib, composition_id)
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
            comp, self.version = read_composition(self.ctx.lib, self.composition_id)
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
        if "kata_recipes" in changes:
            self._recipe_names = None
            if self.composition is not None and not self.previewing and any(isinstance(c, KataClip) for _t, c in self.composition.clips()):
                # The same document shows new pictures: a fresh copy makes the viewer re-read its recipes.
                self.composition = self.composition.model_copy(deep=True)
                self.assets_changed.emit()
                self.composition_changed.emit()

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

    def recipe_name(self, recipe_id: int) -> str | None:
        """A saved Kata recipe's name (None: it is gone)."""
        if self._recipe_names is None:
            self._recipe_names = {r.id: r.name for r in list_recipes(self.ctx.lib)}
        return self._recipe_names.get(recipe_id)

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
            result = comp_ops.save_composition(self.ctx.lib, self.composition_id, comp, label, merge_key=merge_key,
                                               expected_version=self.version)
        except StudioError as exc:
            if not isinstance(exc, ConflictError):  # a conflict has its own dialog (the main window's)
                self.ctx.notify(str(exc), "error")
            self.composition = before
            self.composition_changed.emit()
            return False
        self.version = result.version_of("compositions", self.composition_id)
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
    # Same-track overlaps: a clip put on a spot of a track (dropped, moved, trimmed there)
    # overwrites what it covers, as in a professional NLE (edits.overwrite); a clip added with no
    # spot named (Add text, a drop outside the tracks) goes on the first track with room for it.
    def _target_track(self, comp: Composition, role: str, track_id: str | None, span: tuple[int, int]) -> Track:
        track = next((t for t in comp.tracks if t.id == track_id), None)
        if track is not None and compatible(track.kind, role) and not track.locked:
            return track
        preferred = ROLE_TRACKS[role]
        for kind in preferred:  # the first unlocked track of the preferred kind with room
            for t in display_tracks(comp):
                if t.kind == kind and not t.locked and edits.is_free(t, *span):
                    return t
        return comp.add_track(preferred[0])

    def source_seconds(self, clip) -> float | None:
        """edits.SourceSeconds for this library: how long a clip's source lasts."""
        return comp_ops.source_seconds(clip, self.asset(getattr(clip, "asset_id", None)))

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
                seconds = IMAGE_SECONDS if a.kind == "image" or not a.duration else a.duration
                duration = max(1, math.floor(seconds * comp.rate + 1e-6))
                track = self._target_track(comp, role, track_id, (at, at + duration))
                clip = MediaClip(name=a.name, asset_id=a.id, start=at, duration=duration, fit="cover" if a.kind != "audio" else "contain")
                track.clips = [*track.clips, clip]
                placed.append(clip.id)
                at += duration
            edits.overwrite(comp, placed, self.source_seconds)

        what = assets[0].name if len(assets) == 1 else f"{len(assets)} clips"
        if self.edit(f"Add {what}", change):
            self.select(placed)
            return placed
        return []

    def add_recipe(self, recipe_id: int, track_id: str | None, frame: int) -> str | None:
        """Show a saved Kata recipe from frame on the track (or an overlay track when it cannot take it)."""
        if self.composition_id is None:
            return None
        track = next((t for t in self.composition.tracks if t.id == track_id), None)
        if track is None or not compatible(track.kind, "visual") or track.locked:
            track_id = None
        try:
            result = comp_ops.add_recipe_clip(self.ctx.lib, self.composition_id, recipe_id, track_id=track_id, start=max(0, int(frame)))
        except StudioError as exc:
            self.ctx.notify(str(exc), "error")
            return None
        self.reload()
        self.select([result.value])
        return result.value

    def add_text(self, text: str = "Your headline") -> str | None:
        return self._add_generated("text", lambda comp, start: TextClip(name="Text", text=text, start=start, duration=comp.frames(TITLE_SECONDS)))

    def add_shape(self) -> str | None:
        return self._add_generated("shape", lambda comp, start: ShapeClip(name="Shape", start=start, duration=comp.frames(TITLE_SECONDS), fill="#6E6AF6", shape="rounded_rectangle"))

    def _add_generated(self, role: str, make) -> str | None:
        made: list[str] = []

        def change(comp: Composition):
            clip = make(comp, self.playhead)
            track = self._target_track(comp, role, None, (clip.start, clip.end))
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
            if clip is None or change(comp, track, clip) is False:
                return False
            edits.overwrite(comp, [clip_id], self.source_seconds)  # a new start or length takes its frames

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

        return self.update_layout(clip_id, change, f"Change {prop}", merge_key)

    def toggle_keyframe(self, clip_id: str, prop: str) -> bool:
        """Add a keyframe at the playhead holding the current value, or remove the one there."""
        def change(comp, _track, clip):
            local = self.playhead - clip.start
            return edits.remove_keyframe(clip, prop, local) or edits.add_keyframe(clip, prop, local)

        return self.update_layout(clip_id, change, f"Keyframe {prop}")

    def add_keyframe(self, clip_id: str, prop: str, frame: int) -> bool:
        """A keyframe `frame` frames into the clip, holding the value the property has there."""
        return self.update_clip(clip_id, lambda _c, _t, clip: edits.add_keyframe(clip, prop, frame), f"Keyframe {prop}")

    def remove_keyframe(self, clip_id: str, prop: str, frame: int) -> bool:
        return self.update_clip(clip_id, lambda _c, _t, clip: edits.remove_keyframe(clip, prop, frame), "Delete keyframe")

    def set_keyframe_easing(self, clip_id: str, prop: str, frame: int, easing: str) -> bool:
        return self.update_clip(clip_id, lambda _c, _t, clip: edits.set_easing(clip, prop, frame, easing), "Keyframe easing")

    # ---- variants: the composition in other aspects; layout edits go to the one shown ---------
    def display_composition(self) -> Composition | None:
        """The composition as the shown variant lays it out (its size, its clips' overrides)."""
        comp = self.composition
        if comp is None or self.variant is None:
            return comp
        if self._display[0] is not comp or self._display[1] != self.variant:
            self._display = (comp, self.variant, comp.for_variant(self.variant))
        return self._display[2]

    def set_variant(self, name: str | None) -> None:
        """Show and edit variant `name`; None, the main aspect or a name the composition lacks: the main layout."""
        comp = self.composition
        if comp is None or name == comp.aspect or name not in comp.variant_names():
            name = None
        if name != self.variant:
            self.variant = name
            self.variant_changed.emit()

    def _drop_gone_variant(self) -> None:
        self.set_variant(self.variant)  # e.g. after Edit ▸ Undo of "Add variant"

    def update_layout(self, clip_id: str, change: Callable, label: str, merge_key: str | None = None) -> bool:
        """A layout edit (transform, fit, wrap width), change(comp, track, clip) as for update_clip:
        on the shown variant it goes to that variant's override for the clip, else to the clip."""
        name = self.variant
        if name is None:
            return self.update_clip(clip_id, change, label, merge_key)

        def apply(comp: Composition):
            track = comp.find_clip(clip_id)[0]
            return track is not None and variants.change_layout(comp, name, clip_id, lambda clip: change(comp, track, clip))

        return self._edit_variants(f"{label} in {variants.label(name)}", apply, merge_key and f"{name}:{merge_key}")

    def reset_layout(self, clip_id: str) -> bool:
        """The clip takes the main layout again in the shown variant (its override goes)."""
        name = self.variant
        return name is not None and self._edit_variants(
            f"Reset layout in {variants.label(name)}", lambda comp: variants.reset_layout(comp, name, clip_id))

    def add_variant(self, name: str):
        """Lay the composition out in aspect `name` by smart reframing, as a job (it reads the media);
        when it is done, the variant is added as one undoable step and shown. Returns the job."""
        comp = self.composition
        if comp is None:
            return None
        resolver = MediaResolver(self.ctx.lib)
        paths = {c.id: resolver.path(c) for _t, c in comp.clips() if isinstance(c, MediaClip)}
        job = self.ctx.submit(variants.reframe, variants.ReframeParams(comp, name, paths),
                              title=f"Reframe {comp.name} for {variants.label(name)}")
        when_finished(self.ctx.bus, job, lambda done, for_id=self.composition_id: self._on_reframed(done, for_id), owner=self)
        return job

    def _on_reframed(self, job, composition_id: int | None) -> None:
        if job.status == "failed":
            self.ctx.notify(f"The new variant could not be laid out: {job.error}", "error")
        if job.status != "done" or composition_id != self.composition_id:
            return  # cancelled, or another composition is open now
        variant = job.result
        if self._edit_variants(f"Add {variants.label(variant.name)} variant", lambda comp: variants.put_variant(comp, variant)):
            self.set_variant(variant.name)

    def delete_variant(self, name: str) -> bool:
        if not self._edit_variants(f"Delete {variants.label(name)} variant", lambda comp: variants.delete_variant(comp, name)):
            return False
        self.ctx.notify(f"Deleted the {variants.label(name)} variant (Edit ▸ Undo brings it back)")
        return True

    def _edit_variants(self, label: str, change: Callable, merge_key: str | None = None) -> bool:
        try:
            return self.edit(label, change, merge_key)
        except StudioError as exc:  # e.g. the variant went (an undo) while its edit was on its way
            self.ctx.notify(str(exc), "warning")
            return False

    # ---- tracks -------------------------------------------------------------------------------
    def new_track(self, kind: str) -> str | None:
        made: list[str] = []
        if self.edit(f"Add {TRACK_NAMES[kind].lower()} track", lambda comp: made.append(comp.add_track(kind).id)):
            return made[0]
        return None

    def rename_track(self, track_id: str, name: str) -> bool:
        name = name.strip()

        def change(comp: Composition):
            track = edits.find_track(comp, track_id)
            if not name or name == track.name:
                return False
            track.name = name

        return self.edit("Rename track", change)

    def delete_track(self, track_id: str) -> bool:
        def change(comp: Composition):
            track = edits.find_track(comp, track_id)
            if track.locked:
                raise ValueError(f"{track.name or 'the track'} is locked; unlock it to delete it")
            comp.tracks = [t for t in comp.tracks if t.id != track_id]

        return self.edit("Delete track", change)

    def move_track(self, track_id: str, row: int) -> bool:
        """Move a track to `row` among the rows of its group as shown: picture tracks reorder
        among picture tracks (the top row is the top layer), audio tracks among audio tracks."""
        def change(comp: Composition):
            audio = edits.find_track(comp, track_id).kind == "audio"
            shown = display_tracks(comp)
            group = [t for t in shown if (t.kind == "audio") == audio]
            ids = [t.id for t in group]
            row_ = max(0, min(len(group) - 1, row))
            if ids.index(track_id) == row_:
                return False
            group.insert(row_, group.pop(ids.index(track_id)))
            pictures = [t for t in shown if t.kind != "audio"] if audio else group
            sounds = group if audio else [t for t in shown if t.kind == "audio"]
            comp.tracks = pictures[::-1] + sounds

        return self.edit("Move track", change)

    # ---- transitions --------------------------------------------------------------------------
    def add_transition(self, a_id: str, b_id: str, kind: str = "crossfade") -> bool:
        """A transition at the cut from clip a into clip b, the default length or what the media allows."""
        made = []

        def change(comp: Composition):
            track, a = comp.find_clip(a_id)
            b = comp.find_clip(b_id)[1]
            if a is None or b is None:
                return False
            made.append(edits.add_transition(comp, track, a, b, kind, comp.frames(edits.DEFAULT_TRANSITION_SECONDS), self.source_seconds))

        if not self.edit(f"Add {TRANSITION_NAMES[kind].lower()}", change):
            return False
        wanted = self.composition.frames(edits.DEFAULT_TRANSITION_SECONDS)
        if made[0].duration < wanted:
            self.ctx.notify(f"The {TRANSITION_NAMES[kind].lower()} lasts {made[0].duration} frames, not {wanted}: "
                            "that is all the spare media the clips have at the cut.")
        return True

    def _edit_transition(self, a_id: str, b_id: str, label: str, change: Callable, merge_key: str | None = None) -> bool:
        def apply(comp: Composition):
            track, a = comp.find_clip(a_id)
            b = comp.find_clip(b_id)[1]
            tr = edits.transition_between(track, a_id, b_id) if track is not None else None
            if tr is None or b is None:
                return False
            if track.locked:
                raise ValueError(f"{track.name or 'the track'} is locked")
            return change(comp, track, a, b, tr)

        return self.edit(label, apply, merge_key)

    def update_transition(self, a_id: str, b_id: str, **changes) -> bool:
        """Change a transition's kind, direction or colour."""
        def change(_comp, track, _a, _b, tr):
            new = type(tr).model_validate({**tr.model_dump(), **changes})
            if new == tr:
                return False
            track.transitions = [new if t is tr else t for t in track.transitions]

        return self._edit_transition(a_id, b_id, "Change transition", change)

    def set_transition_duration(self, a_id: str, b_id: str, frames: int, merge_key: str | None = None) -> bool:
        """Lengthen or shorten a transition; both sides of the cut move evenly, within their media."""
        def change(comp, track, a, b, tr):
            if max(1, frames) == tr.duration:
                return False
            if edits.set_overlap(comp, track, a, b, max(1, frames), self.source_seconds) == tr.duration:
                raise ValueError("the clips have no more spare media at this cut")
            # commit() fits the transition's duration to the new overlap

        return self._edit_transition(a_id, b_id, "Transition duration", change, merge_key)

    def remove_transition(self, a_id: str, b_id: str) -> bool:
        """The transition goes and the clips meet at a cut again, in the middle of where it was."""
        def change(comp, track, a, b, tr):
            edits.set_overlap(comp, track, a, b, 0, self.source_seconds)
            track.transitions = [t for t in track.transitions if t is not tr]

        return self._edit_transition(a_id, b_id, "Remove transition", change)
