"""The timeline: a custom-painted QAbstractScrollArea (no web view, no scene graph).

This half holds the geometry and what the user does with it: clicks and drags on clips,
trim edges, transitions, keyframe diamonds and track headers; drops; context menus (built
in timeline_menus.py) and tooltips. timeline_paint.py draws it. Drags preview through the
controller and save once on release (one undo step); edits that put a clip on occupied
frames of a track overwrite them (studio.core.timeline.edits.overwrite).
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QRunnable, QSize, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QAbstractScrollArea, QMenu, QToolTip

from studio.core.render.kata_source import offline_recipes, recipe_sources
from studio.core.render.media import MediaResolver
from studio.core.timeline import edits
from studio.core.timeline.model import Composition, KataClip, Transition
from studio.ui.context import ASSET_IDS_MIME, KATA_RECIPE_MIME
from studio.ui.shell.theme import theme
from studio.ui.workspaces.creative import timeline_menus
from studio.ui.workspaces.creative.timeline_model import TimelineController, compatible, display_tracks, timecode
from studio.ui.workspaces.creative.timeline_paint import (
    EASING_NAMES, EDGE_PX, GAP, HEADER_W, KEY_PX, KIND_TOGGLES, LABEL_H, LANE_H, LANES, NAME_X, PROP_NAMES, RULER_H,
    TRACK_H, TRACK_TOGGLES, Row, TimelinePainting, transition_label,
)

SNAP_PX = 9
DRAG_START_PX = 3
MIN_PPF, MAX_PPF = 0.05, 48.0
ZOOM_STEP = 1.25


# ---- waveforms -------------------------------------------------------------------------------
PEAKS_PER_SECOND = 60


def compute_peaks(path: str, per_second: int = PEAKS_PER_SECOND) -> np.ndarray:
    """Peak levels (0..1) of a file's first audio stream, per_second bins a second (PyAV)."""
    import av

    rate = 8000
    chunks = []
    with av.open(path) as container:
        stream = next((s for s in container.streams if s.type == "audio"), None)
        if stream is None:
            return np.zeros(0, np.float32)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    if not chunks:
        return np.zeros(0, np.float32)
    samples = np.abs(np.concatenate(chunks))
    step = rate // per_second
    bins = math.ceil(len(samples) / step)
    padded = np.zeros(bins * step, np.float32)
    padded[: len(samples)] = samples
    peaks = padded.reshape(bins, step).max(axis=1)
    top = float(peaks.max()) or 1.0
    return (peaks / top).astype(np.float32)


class _PeaksRelay(QObject):
    done = Signal(str, object)


class _PeaksJob(QRunnable):
    def __init__(self, path: str, relay: _PeaksRelay):
        super().__init__()
        self._path, self._relay = path, relay

    def run(self) -> None:
        try:
            peaks = compute_peaks(self._path)
        except Exception:  # an unreadable file: a flat clip, not a crash
            peaks = np.zeros(0, np.float32)
        try:
            self._relay.done.emit(self._path, peaks)
        except RuntimeError:
            pass


class WaveformCache(QObject):
    """peaks(path): the array, or None while it is computed (ready(path) follows). Once per file."""

    ready = Signal(str)
    per_second = PEAKS_PER_SECOND

    def __init__(self, max_items: int = 64, parent=None):
        super().__init__(parent)
        self._peaks: OrderedDict[str, np.ndarray] = OrderedDict()
        self._pending: set[str] = set()
        self._max = max_items
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _PeaksRelay(self)
        self._relay.done.connect(self._on_done, Qt.QueuedConnection)

    def peaks(self, path: str) -> np.ndarray | None:
        if path in self._peaks:
            self._peaks.move_to_end(path)
            return self._peaks[path]
        if path not in self._pending:
            self._pending.add(path)
            self._pool.start(_PeaksJob(path, self._relay))
        return None

    def wait_idle(self, msecs: int = 10000) -> bool:
        return self._pool.waitForDone(msecs)

    @Slot(str, object)
    def _on_done(self, path: str, peaks) -> None:
        self._pending.discard(path)
        self._peaks[path] = peaks
        while len(self._peaks) > self._max:
            self._peaks.popitem(last=False)
        self.ready.emit(path)


# ---- the view ----------------------------------------------------------------------------------
@dataclass
class _Drag:
    kind: str  # move / trim_l / trim_r / slip / scrub / band / key / track
    x0: float
    y0: float
    orig: Composition | None = None
    clip_id: str = ""
    row: int = 0
    started: bool = False
    targets: list[int] = field(default_factory=list)  # snap frames
    base_selection: list[str] = field(default_factory=list)
    band: QRectF | None = None
    key: tuple[str, int] | None = None  # a dragged keyframe: (property, frame in the clip)
    landed: int | None = None  # the frame the dragged keyframe is on now
    y: float = 0.0  # the pointer in a track header drag


class TimelineView(TimelinePainting, QAbstractScrollArea):
    assets_dropped = Signal(list, object, int)  # asset ids, track id (or None), frame
    files_dropped = Signal(list, object, int)  # local paths, track id (or None), frame
    zoom_changed = Signal(float)
    snapping_changed = Signal(bool)
    selection_changed = Signal()  # the selected transition or keyframe (clips are the controller's)
    relink_requested = Signal(str)  # the id of a clip whose media is offline

    def __init__(self, controller: TimelineController, thumbnails, lib_root, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.thumbnails = thumbnails
        self.lib_root = lib_root
        self.waveforms = WaveformCache(parent=self)
        self.ppf = 4.0  # pixels per frame
        self.snapping = True
        self.snap_frame: int | None = None  # shown while a drag snapped
        self.expanded: set[str] = set()  # tracks showing their keyframe lanes (view state, not saved)
        self.selected_transition: tuple[str, str] | None = None  # its clips' ids (a, b)
        self.selected_key: tuple[str, str, int] | None = None  # clip id, property, frame in the clip
        self.offline: dict[str, dict] = {}  # clip id -> MediaResolver.missing() entry
        self.name_editor: timeline_menus.TrackNameEditor | None = None
        self._drag: _Drag | None = None
        self._drop_hint: tuple[str | None, int] | None = None
        self._rows: list[Row] = []
        self._auto_fit = True  # fit the first time a composition shows
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.viewport().setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOn)
        self.setFrameShape(QAbstractScrollArea.NoFrame)
        self.setMinimumHeight(160)
        self._repaint = QTimer(self, singleShot=True, interval=30)
        self._repaint.timeout.connect(self.viewport().update)
        thumbnails.ready.connect(lambda _p: self._repaint.start())
        self.waveforms.ready.connect(lambda _p: self._repaint.start())
        controller.composition_changed.connect(self._on_composition_changed)
        controller.loaded.connect(lambda _id: setattr(self, "_auto_fit", True))
        controller.playhead_changed.connect(self._on_playhead_changed)
        controller.selection_changed.connect(self.viewport().update)
        controller.assets_changed.connect(self._refresh_offline)
        self.horizontalScrollBar().valueChanged.connect(self.viewport().update)
        self.verticalScrollBar().valueChanged.connect(self.viewport().update)
        theme().changed.connect(self.viewport().update)

    # ---- geometry -----------------------------------------------------------------------------
    @property
    def comp(self) -> Composition | None:
        return self.controller.composition

    def x_of(self, frame: float) -> float:
        return HEADER_W + frame * self.ppf - self.horizontalScrollBar().value()

    def frame_at(self, x: float) -> float:
        return (x - HEADER_W + self.horizontalScrollBar().value()) / self.ppf

    def _layout_rows(self) -> None:
        self._rows = []
        if self.comp is None:
            return
        y = GAP
        for track in display_tracks(self.comp):
            row = Row(track, y, TRACK_H[track.kind], LANES[track.kind] if track.id in self.expanded else ())
            self._rows.append(row)
            y += row.full_height + GAP

    def row_rect(self, row: Row) -> QRectF:
        """The row's clip band (its keyframe lanes, if shown, lie under it)."""
        top = RULER_H + row.top - self.verticalScrollBar().value()
        return QRectF(0, top, self.viewport().width(), row.height)

    def lane_rect(self, row: Row, k: int) -> QRectF:
        return QRectF(0, self.row_rect(row).bottom() + k * LANE_H, self.viewport().width(), LANE_H)

    def row_at(self, y: float) -> int | None:
        content = y - RULER_H + self.verticalScrollBar().value()
        for i, row in enumerate(self._rows):
            if row.top - GAP / 2 <= content < row.top + row.full_height + GAP / 2:
                return i
        return None

    def lane_at(self, pos: QPointF) -> tuple[int, str] | None:
        """(row index, property) of the keyframe lane under pos."""
        i = self.row_at(pos.y())
        if i is None:
            return None
        row = self._rows[i]
        k = math.floor((pos.y() - self.row_rect(row).bottom()) / LANE_H)
        return (i, row.lanes[k]) if 0 <= k < len(row.lanes) else None

    def row_of_track(self, track_id: str) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.track.id == track_id), None)

    def group_rows(self, i: int) -> list[int]:
        """The rows a track may move among: picture tracks, or audio tracks."""
        audio = self._rows[i].track.kind == "audio"
        return [j for j, r in enumerate(self._rows) if (r.track.kind == "audio") == audio]

    def disclosure_rect(self, i: int) -> QRectF:
        return QRectF(6, self.row_rect(self._rows[i]).top() + 7, 14, 14)

    def name_rect(self, i: int) -> QRectF:
        r = self.row_rect(self._rows[i])
        right = self._toggle_rects(i)[0][1].left() - 4 if r.height() < 50 else HEADER_W - 8
        return QRectF(NAME_X, r.top() + 4, right - NAME_X, 20)

    def _toggle_rects(self, row_index: int) -> list[tuple[str, QRectF]]:
        row = self._rows[row_index]
        r = self.row_rect(row)
        flags = KIND_TOGGLES[row.track.kind]
        size = 20
        x = HEADER_W - 8 - size * len(flags)
        y = r.top() + (r.height() - size) / 2 if r.height() < 50 else r.top() + r.height() - size - 6
        return [(flag, QRectF(x + k * size, y, size, size)) for k, flag in enumerate(flags)]

    def clip_rect(self, clip, row_index: int) -> QRectF:
        r = self.row_rect(self._rows[row_index])
        x0, x1 = self.x_of(clip.start), self.x_of(clip.end)
        return QRectF(x0, r.top() + 2, max(2.0, x1 - x0 - 1), r.height() - 4)

    def clip_at(self, pos: QPointF):
        """(row index, clip, zone) with zone left/right/body, or None."""
        i = self.row_at(pos.y())
        if i is None or pos.x() < HEADER_W:
            return None
        for clip in reversed(self._rows[i].track.clips):
            rect = self.clip_rect(clip, i)
            grab = min(EDGE_PX, rect.width() / 3)
            if rect.left() - 1 <= pos.x() <= rect.right() + 1 and rect.top() <= pos.y() <= rect.bottom():
                zone = "left" if pos.x() - rect.left() < grab else "right" if rect.right() - pos.x() < grab else "body"
                return i, clip, zone
        return None

    def transition_rect(self, row_index: int, a, b) -> QRectF:
        """The band over the overlap of a and b, under the clips' name bands."""
        r = self.row_rect(self._rows[row_index])
        x0, x1 = self.x_of(b.start), self.x_of(a.end)
        width = max(10.0, x1 - x0)
        top = r.top() + 2 + LABEL_H
        return QRectF((x0 + x1 - width) / 2, top, width, r.bottom() - 2 - top)

    def transition_at(self, pos: QPointF):
        """(track, transition) under pos, or None. The band's ends stay the clips' trim edges."""
        i = self.row_at(pos.y())
        if i is None or pos.x() < HEADER_W:
            return None
        track = self._rows[i].track
        clips = {c.id: c for c in track.clips}
        for tr in track.transitions:
            if tr.a in clips and tr.b in clips:
                rect = self.transition_rect(i, clips[tr.a], clips[tr.b])
                grab = min(EDGE_PX, rect.width() / 4)
                if rect.adjusted(grab, 0, -grab, 0).contains(pos):
                    return track, tr
        return None

    def keyframe_at(self, pos: QPointF):
        """(clip, property, frame in the clip) of the keyframe diamond under pos, or None."""
        hit = self.lane_at(pos)
        if hit is None or pos.x() < HEADER_W:
            return None
        i, prop = hit
        best, best_dx = None, KEY_PX + 0.5
        for clip in self._rows[i].track.clips:
            anim = edits.animated(clip, prop)
            for key in anim.keyframes if anim is not None else ():
                dx = abs(self.x_of(clip.start + key.frame) - pos.x())
                if key.frame < clip.duration and dx < best_dx:
                    best, best_dx = (clip, prop, key.frame), dx
        return best

    def lane_clip_at(self, i: int, x: float):
        frame = self.frame_at(x)
        return next((c for c in self._rows[i].track.clips if c.start <= frame < c.end), None)

    def content_frames(self) -> int:
        return self.controller.end_frame() + (self.comp.frames(5) if self.comp else 0)

    def _update_scrollbars(self) -> None:
        vw = max(1, self.viewport().width() - HEADER_W)
        total = int(self.content_frames() * self.ppf)
        h = self.horizontalScrollBar()
        h.setRange(0, max(0, total - vw))
        h.setPageStep(vw)
        h.setSingleStep(max(1, vw // 20))
        rows_h = (self._rows[-1].top + self._rows[-1].full_height + GAP) if self._rows else 0
        v = self.verticalScrollBar()
        v.setRange(0, max(0, rows_h + 24 - (self.viewport().height() - RULER_H)))
        v.setPageStep(max(1, self.viewport().height() - RULER_H))

    def _relayout(self) -> None:
        self._layout_rows()
        self._update_scrollbars()
        self.viewport().update()

    def ensure_track_visible(self, track_id: str) -> None:
        i = self.row_of_track(track_id)
        if i is None:
            return
        row, v = self._rows[i], self.verticalScrollBar()
        shown = self.viewport().height() - RULER_H
        if row.top < v.value():
            v.setValue(row.top)
        elif row.top + row.full_height > v.value() + shown:
            v.setValue(row.top + row.full_height - shown)

    # ---- zoom and scroll ----------------------------------------------------------------------
    def set_ppf(self, ppf: float, anchor_x: float | None = None) -> None:
        ppf = max(MIN_PPF, min(MAX_PPF, ppf))
        self._auto_fit = False  # the user chose a zoom: resizing keeps it
        if anchor_x is None:
            anchor_x = self.x_of(self.controller.playhead)
            if not HEADER_W <= anchor_x <= self.viewport().width():
                anchor_x = HEADER_W
        frame = self.frame_at(anchor_x)
        self.ppf = ppf
        self._update_scrollbars()
        self.horizontalScrollBar().setValue(round(frame * ppf - (anchor_x - HEADER_W)))
        self.viewport().update()
        self.zoom_changed.emit(ppf)

    def zoom_in(self) -> None:
        self.set_ppf(self.ppf * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_ppf(self.ppf / ZOOM_STEP)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._auto_fit and self.comp is not None:
            self.fit()

    def fit(self) -> None:
        """The whole composition in the window (and kept so on resize, until the next zoom)."""
        self._auto_fit = True
        if self.comp is None:
            return
        width = max(50, self.viewport().width() - HEADER_W - 24)
        self.ppf = max(MIN_PPF, min(MAX_PPF, width / max(1, self.controller.end_frame())))
        self._update_scrollbars()
        self.horizontalScrollBar().setValue(0)
        self.viewport().update()
        self.zoom_changed.emit(self.ppf)

    def set_snapping(self, on: bool) -> None:
        if on != self.snapping:
            self.snapping = on
            self.snapping_changed.emit(on)

    def ensure_visible(self, frame: int) -> None:
        x = self.x_of(frame)
        if x < HEADER_W or x > self.viewport().width() - 16:
            h = self.horizontalScrollBar()
            h.setValue(round(frame * self.ppf - (self.viewport().width() - HEADER_W) * 0.1))

    def _on_playhead_changed(self, frame: int) -> None:
        if self._drag is None or self._drag.kind != "scrub":
            self.ensure_visible(frame)
        self.viewport().update()

    def _on_composition_changed(self) -> None:
        self._layout_rows()
        self._update_scrollbars()
        if self._auto_fit and self.comp is not None and self.isVisible():
            self.fit()
        if not self.controller.previewing:  # a drag's previews change no media and no ids
            self._refresh_offline()
            self._forget_gone_selection()
        self.viewport().update()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._auto_fit and self.comp is not None:
            self.fit()  # until the user zooms, the composition fits the window as it resizes
        self._update_scrollbars()

    def wheelEvent(self, event) -> None:
        delta = event.angleDelta()
        if event.modifiers() & Qt.ControlModifier:
            steps = delta.y() / 120 or delta.x() / 120
            self.set_ppf(self.ppf * (ZOOM_STEP ** steps), event.position().x())
        elif event.modifiers() & Qt.ShiftModifier or delta.x():
            h = self.horizontalScrollBar()
            h.setValue(h.value() - (delta.x() or delta.y()))
        else:
            v = self.verticalScrollBar()
            if v.maximum() > 0:
                v.setValue(v.value() - delta.y() // 2)
            else:
                h = self.horizontalScrollBar()
                h.setValue(h.value() - delta.y())
        event.accept()

    # ---- snapping ------------------------------------------------------------------------------
    def _snap_targets(self, exclude: set[str]) -> list[int]:
        comp = self.comp
        if comp is None:
            return []
        targets = {0, comp.duration, self.controller.playhead}
        targets.update(m.frame for m in comp.markers)
        for _t, c in comp.clips():
            if c.id not in exclude:
                targets.update((c.start, c.end))
        return sorted(targets)

    def _snap(self, frames: list[int], targets: list[int]) -> int:
        """The shift (frames) that brings the nearest of `frames` onto a target, within SNAP_PX."""
        self.snap_frame = None
        if not self.snapping or not targets:
            return 0
        best, best_dist = 0, SNAP_PX / self.ppf + 1e-9
        for f in frames:
            for t in targets:
                if abs(t - f) <= best_dist and (abs(t - f) < best_dist or self.snap_frame is None):
                    best, best_dist, self.snap_frame = t - f, abs(t - f), t
        return best

    # ---- what the timeline itself selects: a transition or a keyframe ------------------------
    def _select_part(self, transition: tuple[str, str] | None = None, key: tuple[str, str, int] | None = None) -> None:
        if (transition, key) != (self.selected_transition, self.selected_key):
            self.selected_transition, self.selected_key = transition, key
            self.selection_changed.emit()
            self.viewport().update()

    def _transition(self, a_id: str, b_id: str) -> Transition | None:
        track = self.comp.find_clip(a_id)[0] if self.comp is not None else None
        return edits.transition_between(track, a_id, b_id) if track is not None else None

    def _forget_gone_selection(self) -> None:
        """After an undo or an edit elsewhere: drop a selected part that is no longer there."""
        transition, key = self.selected_transition, self.selected_key
        if transition and self._transition(*transition) is None:
            transition = None
        if key:
            clip = self.comp.find_clip(key[0])[1] if self.comp is not None else None
            anim = edits.animated(clip, key[1]) if clip is not None else None
            if anim is None or all(k.frame != key[2] for k in anim.keyframes):
                key = None
        self._select_part(transition, key)

    def delete_selection(self) -> bool:
        """Delete: the selected keyframe, else the selected transition, else the selected clips."""
        key, transition = self.selected_key, self.selected_transition
        if key is None and transition is None:
            return self.controller.delete_selected()
        self._select_part()
        return self.controller.remove_keyframe(*key) if key else self.controller.remove_transition(*transition)

    # ---- tracks -----------------------------------------------------------------------------------
    def add_track(self, kind: str) -> str | None:
        track_id = self.controller.new_track(kind)
        if track_id:
            self.ensure_track_visible(track_id)
        return track_id

    def move_track(self, track_id: str, step: int) -> bool:
        """Up (-1) or down (+1) a row among the tracks of its group."""
        i = self.row_of_track(track_id)
        return i is not None and self.controller.move_track(track_id, self.group_rows(i).index(i) + step)

    def delete_track(self, track_id: str) -> bool:
        """Delete a track; one with clips only once the user confirms (undo brings it back)."""
        i = self.row_of_track(track_id)
        if i is None:
            return False
        track = self._rows[i].track
        if track.clips and not track.locked and not timeline_menus.confirm_delete_track(self, track):
            return False
        self.expanded.discard(track_id)
        return self.controller.delete_track(track_id)

    def start_rename(self, track_id: str) -> None:
        """The inline name editor over the track's header."""
        i = self.row_of_track(track_id)
        if i is None:
            return
        self.ensure_track_visible(track_id)
        if self.name_editor is not None:
            self.name_editor.finish(save=False)
        self.name_editor = timeline_menus.TrackNameEditor(self, self._rows[i].track, self.name_rect(i))

    def toggle_lanes(self, track_ids: set[str] | None = None) -> None:
        """Show or hide keyframe lanes: of the given tracks, else the selected clips' tracks, else all."""
        if track_ids is None:
            track_ids = {t.id for t, _c in self.controller.selected_clips()} or {r.track.id for r in self._rows}
        if track_ids <= self.expanded:
            self.expanded -= track_ids
        else:
            self.expanded |= track_ids
        self._relayout()

    # ---- transitions ----------------------------------------------------------------------------
    def cut_near(self, track, clip, frame: float) -> tuple[str, str] | None:
        """The cut between clip and a clip that meets it, nearest frame, as (a, b) clip ids."""
        before, after = edits.neighbours(track, clip)
        cuts = [(abs(frame - clip.start), (before.id, clip.id))] if before else []
        cuts += [(abs(frame - clip.end), (clip.id, after.id))] if after else []
        return min(cuts)[1] if cuts else None

    def add_transition(self, cut: tuple[str, str], kind: str) -> bool:
        if not self.controller.add_transition(*cut, kind):
            return False
        self.controller.select([])
        self._select_part(transition=cut)
        return True

    def add_transition_at_playhead(self, kind: str = "crossfade") -> bool:
        """At the cut of the selected clip nearest the playhead (Ctrl+D, as in Premiere)."""
        track, clip = self.controller.primary()
        cut = self.cut_near(track, clip, self.controller.playhead) if clip is not None else None
        if cut is None:
            self.controller.ctx.notify("To add a transition, select a clip that meets another clip at a cut on its track.", "warning")
            return False
        return self.add_transition(cut, kind)

    def nudge_transition(self, frames: int) -> bool:
        """The selected transition longer or shorter by some frames; presses in a row are one undo step."""
        tr = self._transition(*self.selected_transition) if self.selected_transition else None
        if tr is None:
            return False
        return self.controller.set_transition_duration(tr.a, tr.b, tr.duration + frames, merge_key=f"transition:{tr.a}:{tr.b}")

    # ---- keyframes ------------------------------------------------------------------------------
    def add_keyframe_at(self, pos: QPointF) -> bool:
        """A keyframe in the lane under pos at its frame, holding the value the property has there."""
        hit = self.lane_at(pos)
        clip = self.lane_clip_at(hit[0], pos.x()) if hit else None
        if clip is None or self._rows[hit[0]].track.locked:
            return False
        frame = max(0, min(clip.duration - 1, round(self.frame_at(pos.x())) - clip.start))
        if not self.controller.add_keyframe(clip.id, hit[1], frame):
            return False
        self.controller.select([clip.id])
        self._select_part(key=(clip.id, hit[1], frame))
        self.controller.set_playhead(clip.start + frame)
        return True

    # ---- offline media ----------------------------------------------------------------------------
    def _refresh_offline(self) -> None:
        comp = self.comp
        missing = []
        if comp is not None:
            resolver = MediaResolver(self.controller.ctx.lib)
            missing = resolver.missing(comp) + offline_recipes(comp, recipe_sources(resolver, comp))
        self.offline = {m["clip_id"]: m for m in missing}
        self.viewport().update()

    # ---- mouse ---------------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        self.setFocus()
        if event.button() != Qt.LeftButton or self.comp is None:
            return super().mousePressEvent(event)
        pos = event.position()
        mods = event.modifiers()
        if pos.y() < RULER_H and pos.x() >= HEADER_W:
            self._drag = _Drag("scrub", pos.x(), pos.y(), started=True)
            self.controller.set_playhead(round(self.frame_at(pos.x())))
            return
        if pos.x() < HEADER_W:
            self._press_header(pos)
            return
        if self.lane_at(pos) is not None:
            self._press_lane(pos)
            return
        transition = self.transition_at(pos)
        if transition is not None:
            self.controller.select([])
            self._select_part(transition=(transition[1].a, transition[1].b))
            return
        self._select_part()
        hit = self.clip_at(pos)
        if hit is None:
            keep = bool(mods & (Qt.ShiftModifier | Qt.ControlModifier))
            if not keep:
                self.controller.select([])
            self._drag = _Drag("band", pos.x(), pos.y(), base_selection=list(self.controller.selected))
            return
        row, clip, zone = hit
        if mods & (Qt.ShiftModifier | Qt.ControlModifier):
            self.controller.select([clip.id], "toggle")
            if clip.id not in self.controller.selected:
                return
        elif clip.id not in self.controller.selected:
            self.controller.select([clip.id])
        else:  # a click on a selected clip makes it the primary one (the inspector shows it)
            self.controller.select([i for i in self.controller.selected if i != clip.id] + [clip.id])
        if self._rows[row].track.locked:
            return
        if mods & Qt.AltModifier:
            kind = "slip"
        else:
            kind = {"left": "trim_l", "right": "trim_r"}.get(zone, "move")
        moving = set(self.controller.selected) if kind == "move" else {clip.id}
        self._drag = _Drag(kind, pos.x(), pos.y(), orig=self.comp, clip_id=clip.id, row=row, targets=self._snap_targets(moving))

    def _press_header(self, pos: QPointF) -> None:
        i = self.row_at(pos.y())
        if i is None or self.lane_at(pos) is not None:
            return
        track = self._rows[i].track
        if self.disclosure_rect(i).adjusted(-3, -3, 3, 3).contains(pos):
            self.toggle_lanes({track.id})
            return
        for flag, rect in self._toggle_rects(i):
            if rect.contains(pos):
                self.controller.set_track_flag(track.id, flag, not getattr(track, flag))
                return
        self._drag = _Drag("track", pos.x(), pos.y(), row=i, y=pos.y())

    def _press_lane(self, pos: QPointF) -> None:
        i, _prop = self.lane_at(pos)
        hit = self.keyframe_at(pos)
        if hit is None:
            clip = self.lane_clip_at(i, pos.x())
            self.controller.select([clip.id] if clip is not None else [])
            self._select_part()
            return
        clip, prop, frame = hit
        self.controller.select([clip.id])
        self._select_part(key=(clip.id, prop, frame))
        self.controller.set_playhead(clip.start + frame)
        if not self._rows[i].track.locked:
            others = {clip.start + k.frame for p in edits.animated_props(clip) if p != prop for k in edits.animated(clip, p).keyframes}
            targets = sorted(others | {m.frame for m in self.comp.markers})
            self._drag = _Drag("key", pos.x(), pos.y(), orig=self.comp, clip_id=clip.id, row=i, key=(prop, frame), targets=targets)

    def mouseMoveEvent(self, event) -> None:
        pos = event.position()
        d = self._drag
        if d is None:
            self._update_cursor(pos)
            return
        if d.kind == "scrub":
            self.controller.set_playhead(round(self.frame_at(max(HEADER_W, pos.x()))))
            return
        if not d.started:
            if abs(pos.x() - d.x0) < DRAG_START_PX and abs(pos.y() - d.y0) < DRAG_START_PX:
                return
            d.started = True
        if d.kind == "band":
            d.band = QRectF(QPointF(d.x0, d.y0), pos).normalized()
            self._select_band(d)
            self.viewport().update()
            return
        if d.kind == "track":
            d.y = pos.y()
            self.viewport().setCursor(Qt.SizeVerCursor)
            self.viewport().update()
            return
        delta = (pos.x() - d.x0) / self.ppf
        comp = self._key_dragged(d, delta) if d.kind == "key" else self._dragged(d, delta, pos.y())
        if comp is not None:
            self.controller.preview(comp)

    def mouseReleaseEvent(self, event) -> None:
        d, self._drag = self._drag, None
        self.snap_frame = None
        if d is None:
            return
        if d.kind == "track" and d.started:
            target = self._track_target(d)
            if target is not None:
                self.controller.move_track(self._rows[d.row].track.id, target)
        elif d.kind == "key" and d.started and self.controller.previewing:
            if d.landed != d.key[1] and self.controller.commit(self.controller.composition, "Move keyframe", self.controller.next_gesture()):
                clip = self.comp.find_clip(d.clip_id)[1]
                self._select_part(key=(d.clip_id, d.key[0], d.landed))
                self.controller.set_playhead(clip.start + d.landed)
            else:
                self.controller.cancel_preview()
        elif d.kind in ("move", "trim_l", "trim_r", "slip") and d.started and self.controller.previewing:
            label = {"move": "Move clips" if len(self.controller.selected) > 1 else "Move clip",
                     "trim_l": "Trim clip", "trim_r": "Trim clip", "slip": "Slip clip"}[d.kind]
            if self.controller.composition != d.orig:
                self.controller.commit(self.controller.composition, label, merge_key=self.controller.next_gesture())
            else:
                self.controller.cancel_preview()
        self._update_cursor(event.position())
        self.viewport().update()

    def mouseDoubleClickEvent(self, event) -> None:
        pos = event.position()
        i = self.row_at(pos.y()) if self.comp is not None and pos.y() >= RULER_H else None
        if event.button() != Qt.LeftButton or i is None:
            return super().mouseDoubleClickEvent(event)
        if pos.x() < HEADER_W:
            if self.name_rect(i).contains(pos):
                self.start_rename(self._rows[i].track.id)
        elif self.lane_at(pos) is not None and self.keyframe_at(pos) is None:
            self.add_keyframe_at(pos)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape:
            if self._drag is not None:
                self._drag = None
                self.snap_frame = None
                self.controller.cancel_preview()
                self.viewport().update()
            else:
                self._select_part()
            return
        super().keyPressEvent(event)

    def _update_cursor(self, pos: QPointF) -> None:
        if self.comp is None or pos.y() < RULER_H or pos.x() < HEADER_W:
            self.viewport().setCursor(Qt.PointingHandCursor if pos.y() < RULER_H and pos.x() >= HEADER_W else Qt.ArrowCursor)
            return
        if self.keyframe_at(pos) is not None:
            self.viewport().setCursor(Qt.SizeHorCursor)
        elif self.transition_at(pos) is not None:
            self.viewport().setCursor(Qt.PointingHandCursor)
        else:
            hit = self.clip_at(pos)
            if hit and not self._rows[hit[0]].track.locked:
                self.viewport().setCursor(Qt.SizeHorCursor if hit[2] != "body" else Qt.OpenHandCursor)
            else:
                self.viewport().setCursor(Qt.ArrowCursor)

    def _select_band(self, d: _Drag) -> None:
        ids = list(d.base_selection)
        for i, row in enumerate(self._rows):
            for clip in row.track.clips:
                if self.clip_rect(clip, i).intersects(d.band) and clip.id not in ids:
                    ids.append(clip.id)
        self.controller.select(ids)

    # ---- track header drags ---------------------------------------------------------------------
    def _track_target(self, d: _Drag) -> int | None:
        """The row (among its group) a dragged track header would go to; None: where it is."""
        group = self.group_rows(d.row)
        i = self.row_at(d.y)
        if i is None or i not in group:  # past the group's ends: its first or last row
            first = self.row_rect(self._rows[group[0]]).top()
            i = group[0] if d.y < first else group[-1]
        target = group.index(i)
        return None if target == group.index(d.row) else target

    def track_drop_y(self) -> float | None:
        """Where the line that shows a track drag's destination goes, or None."""
        d = self._drag
        target = self._track_target(d) if d is not None and d.kind == "track" and d.started else None
        if target is None:
            return None
        group = self.group_rows(d.row)
        row = self._rows[group[target]]
        top = self.row_rect(row).top()
        return top - GAP / 2 if target < group.index(d.row) else top + row.full_height + GAP / 2

    # ---- context menus and tooltips ---------------------------------------------------------------
    def contextMenuEvent(self, event) -> None:
        menu = self.context_menu(QPointF(event.pos()))
        if menu is not None:
            menu.exec(event.globalPos())
            menu.deleteLater()

    def context_menu(self, pos: QPointF) -> QMenu | None:
        """The menu for what is under pos: a track header, a keyframe, a transition or a clip."""
        if self.comp is None or pos.y() < RULER_H:
            return None
        i = self.row_at(pos.y())
        if pos.x() < HEADER_W:
            return timeline_menus.track_menu(self, self._rows[i].track if i is not None else None)
        if self.lane_at(pos) is not None:
            key = self.keyframe_at(pos)
            if key is None:
                return None
            self.controller.select([key[0].id])
            self._select_part(key=(key[0].id, key[1], key[2]))
            return timeline_menus.keyframe_menu(self, *key)
        transition = self.transition_at(pos)
        if transition is not None:
            self.controller.select([])
            self._select_part(transition=(transition[1].a, transition[1].b))
            return timeline_menus.transition_menu(self, transition[1])
        hit = self.clip_at(pos)
        if hit is None:
            return None
        self._select_part()
        row, clip, _zone = hit
        if clip.id not in self.controller.selected:
            self.controller.select([clip.id])
        return timeline_menus.clip_menu(self, self._rows[row].track, clip, self.frame_at(pos.x()))

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def tooltip_at(self, pos: QPointF) -> str:
        i = self.row_at(pos.y()) if self.comp is not None and pos.y() >= RULER_H else None
        if i is None:
            return ""
        fps = self.comp.fps
        track = self._rows[i].track
        if pos.x() < HEADER_W:
            if self.disclosure_rect(i).contains(pos):
                return f"{'Hide' if track.id in self.expanded else 'Show'} keyframe lanes (U)"
            tip = next((TRACK_TOGGLES[flag][2] for flag, rect in self._toggle_rects(i) if rect.contains(pos)), None)
            return tip or "Drag to reorder the track, double-click its name to rename it, right-click for more"
        key = self.keyframe_at(pos)
        if key is not None:
            clip, prop, frame = key
            easing = next(k.easing for k in edits.animated(clip, prop).keyframes if k.frame == frame)
            return (f"{PROP_NAMES[prop]} keyframe at {timecode(clip.start + frame, fps)} · {EASING_NAMES.get(easing, easing)}\n"
                    "Drag to retime it, right-click for its easing, Delete removes it")
        transition = self.transition_at(pos)
        if transition is not None:
            tr = transition[1]
            return (f"{transition_label(tr)} · {self.comp.seconds(tr.duration):.2f} s ({tr.duration} frames)\n"
                    "Right-click to change it; [ and ] make it shorter and longer")
        hit = self.clip_at(pos)
        if hit is None:
            return ""
        clip = hit[1]
        missing = self.offline.get(clip.id)
        if missing:
            fix = ("Restore the recipe or its files (Edit ▸ Undo, the trash), or place the product again in Kata." if isinstance(clip, KataClip)
                   else "Right-click ▸ Relink media… to point the clip at its file.")
            return f"Offline: {missing['name']}\n{missing['path'] or 'no file'}\n{missing['reason'].capitalize()}.\n{fix}"
        return f"{clip.name or clip.kind} · {timecode(clip.start, fps)} – {timecode(clip.end, fps)} ({self.comp.seconds(clip.duration):.2f} s)"

    # ---- drag edits (pure: the original composition in, an edited copy out) ------------------
    def _dragged(self, d: _Drag, delta: float, y: float) -> Composition | None:
        comp = d.orig.model_copy(deep=True)
        clip = comp.find_clip(d.clip_id)[1]
        if clip is None:
            return None
        shift = round(delta)
        seconds = self.controller.source_seconds
        if d.kind == "move":
            return self._moved(comp, d, clip, shift, y)
        if d.kind == "slip":
            length = seconds(clip)
            if length is None or math.isinf(length):
                return None
            room = max(0.0, length - comp.seconds(clip.duration) * clip.speed)
            clip.source_in = min(room, max(0.0, clip.source_in - comp.seconds(shift) * clip.speed))
            return comp
        if d.kind == "trim_l":
            new_start = clip.start + shift
            new_start += self._snap([new_start], d.targets)
            low = clip.start - edits.head_room(comp, clip, seconds)
            edits.trim_head(comp, clip, max(low, min(clip.end - 1, new_start)), seconds)
        else:
            new_end = clip.end + shift
            new_end += self._snap([new_end], d.targets)
            room = edits.tail_room(comp, clip, seconds)
            if room is not None:
                new_end = min(clip.end + room, new_end)
            clip.duration = max(clip.start + 1, new_end) - clip.start
        edits.overwrite(comp, [clip.id], seconds)
        return comp

    def _moved(self, comp: Composition, d: _Drag, primary, shift: int, y: float) -> Composition:
        ids = set(self.controller.selected) | {primary.id}
        moving = [(t, c) for t, c in comp.clips() if c.id in ids and not t.locked]
        shift = max(shift, -min(c.start for _t, c in moving))
        shift += self._snap([primary.start + shift, primary.end + shift], d.targets)
        shift = max(shift, -min(c.start for _t, c in moving))
        # Between tracks: every moved clip goes the same number of rows, if each lands on a
        # compatible, unlocked track; otherwise they stay on their tracks.
        rows = [r.track.id for r in self._rows]
        target_row = self.row_at(y)
        row_shift = 0 if target_row is None else target_row - d.row
        by_id = {t.id: t for t in comp.tracks}
        dest = {}
        if row_shift:
            for t, c in moving:
                j = rows.index(t.id) + row_shift
                target = by_id.get(rows[j]) if 0 <= j < len(rows) else None
                if target is None or target.locked or not compatible(target.kind, self.controller.role(c)):
                    dest = {}
                    break
                dest[c.id] = target
        self.snap_frame = self.snap_frame if self.snapping else None
        for t, c in moving:
            c.start = c.start + shift
            target = dest.get(c.id)
            if target is not None and target.id != t.id:
                t.clips = [x for x in t.clips if x.id != c.id]
                target.clips = sorted([*target.clips, c], key=lambda x: x.start)
        edits.overwrite(comp, [c.id for _t, c in moving], self.controller.source_seconds)
        return comp

    def _key_dragged(self, d: _Drag, delta: float) -> Composition:
        comp = d.orig.model_copy(deep=True)
        clip = comp.find_clip(d.clip_id)[1]
        prop, frame = d.key
        to = frame + round(delta)
        to += self._snap([clip.start + to], d.targets)
        d.landed = edits.retime_keyframe(clip, prop, frame, to)
        return comp

    # ---- drops from the bin, the media workspace and the OS ------------------------------------
    def _drop_target(self, pos: QPointF) -> tuple[str | None, int]:
        i = self.row_at(pos.y())
        frame = max(0, round(self.frame_at(max(HEADER_W, pos.x()))))
        if self.snapping:
            frame += self._snap([frame], self._snap_targets(set()))
            self.snap_frame = None
        return (self._rows[i].track.id if i is not None else None), frame

    @staticmethod
    def _accepts(mime) -> bool:
        return mime.hasFormat(ASSET_IDS_MIME) or mime.hasFormat(KATA_RECIPE_MIME) or (mime.hasUrls() and any(u.isLocalFile() for u in mime.urls()))

    def dragEnterEvent(self, event) -> None:
        if self.comp is not None and self._accepts(event.mimeData()):
            event.setDropAction(Qt.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self.comp is None or not self._accepts(event.mimeData()):
            event.ignore()
            return
        event.setDropAction(Qt.CopyAction)
        event.accept()
        self._drop_hint = self._drop_target(event.position())
        self.viewport().update()

    def dragLeaveEvent(self, event) -> None:
        self._drop_hint = None
        self.viewport().update()

    def dropEvent(self, event) -> None:
        self._drop_hint = None
        mime = event.mimeData()
        if self.comp is None or not self._accepts(mime):
            event.ignore()
            return
        event.setDropAction(Qt.CopyAction)
        event.accept()
        track_id, frame = self._drop_target(event.position())
        if mime.hasFormat(ASSET_IDS_MIME):
            try:
                ids = [int(i) for i in json.loads(bytes(mime.data(ASSET_IDS_MIME)).decode())]
            except (ValueError, TypeError):
                ids = []
            if ids:
                self.assets_dropped.emit(ids, track_id, frame)
        elif mime.hasFormat(KATA_RECIPE_MIME):
            payload = bytes(mime.data(KATA_RECIPE_MIME)).decode(errors="replace").strip()
            if payload.isdigit():
                self.controller.add_recipe(int(payload), track_id, frame)
            else:
                self.controller.ctx.notify(f"That drop is not a saved Kata placement ({payload[:40]!r}); drag one from the Kata workspace.", "warning")
        else:
            paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if paths:
                self.files_dropped.emit(paths, track_id, frame)
        self.viewport().update()

    def sizeHint(self) -> QSize:
        return QSize(900, 300)
