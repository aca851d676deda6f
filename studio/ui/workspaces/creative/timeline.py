"""The timeline: a custom-painted QAbstractScrollArea (no web view, no scene graph).

Ruler with timecode on top, track headers on the left, clips as rounded rects coloured by
kind (video clips carry their thumbnail strip, audio clips a waveform computed once per
asset off the GUI thread), transitions over the overlaps, markers and the playhead.
Drags preview through the controller and save once on release (one undo step).
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import qtawesome as qta
from PySide6.QtCore import QObject, QPointF, QRect, QRectF, QRunnable, QSize, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont, QLinearGradient, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QAbstractScrollArea

from studio.core.timeline.model import Composition, MediaClip, ShapeClip, TextClip, Track
from studio.ui.context import ASSET_IDS_MIME
from studio.ui.shell.theme import theme
from studio.ui.workspaces.creative.timeline_model import (
    TimelineController, compatible, display_tracks, source_limit, timecode,
)

HEADER_W = 184
RULER_H = 30
TRACK_H = {"video": 64, "overlay": 52, "text": 44, "audio": 56}
GAP = 2
EDGE_PX = 7  # the grab zone for trimming at each clip edge
SNAP_PX = 9
DRAG_START_PX = 3
MIN_PPF, MAX_PPF = 0.05, 48.0
ZOOM_STEP = 1.25

ROLE_COLOURS = {  # base colours of clips by what they hold (CapCut/Premiere-like)
    "visual": "#3E6FD8", "image": "#2E9C9A", "audio": "#2FA36B", "text": "#9B5BD6", "shape": "#D9822B",
}
TRACK_TOGGLES = {  # flag -> (icon on, icon off, tip)
    "hidden": ("mdi6.eye-off-outline", "mdi6.eye-outline", "Hide track"),
    "muted": ("mdi6.volume-off", "mdi6.volume-high", "Mute track"),
    "solo": ("mdi6.alpha-s-box", "mdi6.alpha-s-box-outline", "Solo track"),
    "locked": ("mdi6.lock-outline", "mdi6.lock-open-variant-outline", "Lock track"),
}
KIND_TOGGLES = {"video": ("hidden", "muted", "solo", "locked"), "overlay": ("hidden", "solo", "locked"),
                "text": ("hidden", "solo", "locked"), "audio": ("muted", "solo", "locked")}
KIND_ICONS = {"video": "mdi6.filmstrip", "overlay": "mdi6.layers-outline", "text": "mdi6.format-text", "audio": "mdi6.waveform"}

_icons: dict[tuple[str, str], object] = {}


def _icon(name: str, colour: str):
    key = (name, colour)
    if key not in _icons:
        _icons[key] = qta.icon(name, color=colour)
    return _icons[key]


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
class _Row:
    track: Track
    top: int  # content y (0 = just under the ruler)
    height: int


@dataclass
class _Drag:
    kind: str  # move / trim_l / trim_r / slip / scrub / band
    x0: float
    y0: float
    orig: Composition | None = None
    clip_id: str = ""
    row: int = 0
    started: bool = False
    targets: list[int] = field(default_factory=list)  # snap frames
    base_selection: list[str] = field(default_factory=list)
    band: QRectF | None = None


class TimelineView(QAbstractScrollArea):
    assets_dropped = Signal(list, object, int)  # asset ids, track id (or None), frame
    files_dropped = Signal(list, object, int)  # local paths, track id (or None), frame
    zoom_changed = Signal(float)
    snapping_changed = Signal(bool)

    def __init__(self, controller: TimelineController, thumbnails, lib_root, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.thumbnails = thumbnails
        self.lib_root = lib_root
        self.waveforms = WaveformCache(parent=self)
        self.ppf = 4.0  # pixels per frame
        self.snapping = True
        self.snap_frame: int | None = None  # shown while a drag snapped
        self._drag: _Drag | None = None
        self._drop_hint: tuple[str | None, int] | None = None
        self._rows: list[_Row] = []
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
            h = TRACK_H[track.kind]
            self._rows.append(_Row(track, y, h))
            y += h + GAP

    def row_rect(self, row: _Row) -> QRectF:
        top = RULER_H + row.top - self.verticalScrollBar().value()
        return QRectF(0, top, self.viewport().width(), row.height)

    def row_at(self, y: float) -> int | None:
        content = y - RULER_H + self.verticalScrollBar().value()
        for i, row in enumerate(self._rows):
            if row.top - GAP / 2 <= content < row.top + row.height + GAP / 2:
                return i
        return None

    def row_of_track(self, track_id: str) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.track.id == track_id), None)

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

    def content_frames(self) -> int:
        return self.controller.end_frame() + (self.comp.frames(5) if self.comp else 0)

    def _update_scrollbars(self) -> None:
        vw = max(1, self.viewport().width() - HEADER_W)
        total = int(self.content_frames() * self.ppf)
        h = self.horizontalScrollBar()
        h.setRange(0, max(0, total - vw))
        h.setPageStep(vw)
        h.setSingleStep(max(1, vw // 20))
        rows_h = (self._rows[-1].top + self._rows[-1].height + GAP) if self._rows else 0
        v = self.verticalScrollBar()
        v.setRange(0, max(0, rows_h + 24 - (self.viewport().height() - RULER_H)))
        v.setPageStep(max(1, self.viewport().height() - RULER_H))

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
        if i is None:
            return
        track = self._rows[i].track
        for flag, rect in self._toggle_rects(i):
            if rect.contains(pos):
                self.controller.set_track_flag(track.id, flag, not getattr(track, flag))
                return

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
        delta = (pos.x() - d.x0) / self.ppf
        comp = self._dragged(d, delta, pos.y())
        if comp is not None:
            self.controller.preview(comp)

    def mouseReleaseEvent(self, event) -> None:
        d, self._drag = self._drag, None
        self.snap_frame = None
        if d is None:
            return
        if d.kind in ("move", "trim_l", "trim_r", "slip"):
            if d.started and self.controller.previewing:
                changed = self.controller.composition != d.orig
                label = {"move": "Move clips" if len(self.controller.selected) > 1 else "Move clip",
                         "trim_l": "Trim clip", "trim_r": "Trim clip", "slip": "Slip clip"}[d.kind]
                if changed:
                    self.controller.commit(self.controller.composition, label, merge_key=self.controller.next_gesture())
                else:
                    self.controller.cancel_preview()
        self.viewport().update()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape and self._drag is not None:
            self._drag = None
            self.snap_frame = None
            self.controller.cancel_preview()
            return
        super().keyPressEvent(event)

    def _update_cursor(self, pos: QPointF) -> None:
        if pos.y() < RULER_H:
            self.viewport().setCursor(Qt.PointingHandCursor if pos.x() >= HEADER_W else Qt.ArrowCursor)
            return
        hit = self.clip_at(pos) if self.comp is not None else None
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

    # ---- drag edits (pure: the original composition in, an edited copy out) ------------------
    def _dragged(self, d: _Drag, delta: float, y: float) -> Composition | None:
        comp = d.orig.model_copy(deep=True)
        track, clip = comp.find_clip(d.clip_id)
        if clip is None:
            return None
        fps_rate = comp.rate
        shift = round(delta)
        if d.kind == "move":
            return self._moved(comp, d, clip, shift, y)
        asset = self.controller.asset(getattr(clip, "asset_id", None))
        if d.kind == "trim_l":
            new_start = clip.start + shift
            new_start += self._snap([new_start], d.targets)
            low = 0
            if isinstance(clip, MediaClip) and asset is not None and asset.kind != "image":
                low = max(low, clip.start - math.floor(clip.source_in / clip.speed * fps_rate + 1e-6))
            new_start = max(low, min(clip.end - 1, new_start))
            moved = new_start - clip.start
            if isinstance(clip, MediaClip) and (asset is None or asset.kind != "image"):
                clip.source_in = max(0.0, clip.source_in + float(moved / fps_rate) * clip.speed)
            for name in ("position", "scale", "rotation", "opacity"):
                anim = getattr(clip.transform, name)
                if anim.keyframes:
                    keys = [k.model_copy(update={"frame": k.frame - moved}) for k in anim.keyframes if k.frame - moved >= 0]
                    setattr(clip.transform, name, anim.model_copy(update={"keyframes": keys}))
            end = clip.end
            clip.start = new_start
            clip.duration = end - new_start
        elif d.kind == "trim_r":
            new_end = clip.end + shift
            new_end += self._snap([new_end], d.targets)
            limit = source_limit(comp, clip, asset) if isinstance(clip, MediaClip) else None
            high = clip.start + limit if limit else None
            new_end = max(clip.start + 1, new_end if high is None else min(high, new_end))
            clip.duration = new_end - clip.start
        elif d.kind == "slip":
            if not isinstance(clip, MediaClip) or asset is None or asset.kind == "image" or not asset.duration:
                return None
            room = max(0.0, asset.duration - float(clip.duration / fps_rate) * clip.speed)
            clip.source_in = min(room, max(0.0, d.orig.find_clip(d.clip_id)[1].source_in - float(shift / fps_rate) * clip.speed))
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
        dest: dict[str, Track] = {}
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
        return mime.hasFormat(ASSET_IDS_MIME) or (mime.hasUrls() and any(u.isLocalFile() for u in mime.urls()))

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
        else:
            paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if paths:
                self.files_dropped.emit(paths, track_id, frame)
        self.viewport().update()

    # ---- painting ------------------------------------------------------------------------------
    def _toggle_rects(self, row_index: int) -> list[tuple[str, QRectF]]:
        row = self._rows[row_index]
        r = self.row_rect(row)
        flags = KIND_TOGGLES[row.track.kind]
        size = 20
        x = HEADER_W - 8 - size * len(flags)
        y = r.top() + (r.height() - size) / 2 if r.height() < 50 else r.top() + r.height() - size - 6
        return [(flag, QRectF(x + k * size, y, size, size)) for k, flag in enumerate(flags)]

    def paintEvent(self, event) -> None:
        c = theme().colors
        p = QPainter(self.viewport())
        p.setRenderHint(QPainter.Antialiasing)
        w, h = self.viewport().width(), self.viewport().height()
        p.fillRect(0, 0, w, h, QColor(c.base))
        if self.comp is None:
            p.end()
            return
        if not self._rows:
            self._layout_rows()
        comp = self.comp
        p.save()
        p.setClipRect(QRectF(HEADER_W, RULER_H, w - HEADER_W, h - RULER_H))
        self._paint_lanes(p, c, w)
        end_x = self.x_of(comp.duration)
        if end_x < w:  # past the composition's end: shaded, it will not be exported
            p.fillRect(QRectF(max(HEADER_W, end_x), RULER_H, w, h), QColor(0, 0, 0, 90))
            p.setPen(QPen(QColor(c.muted), 1, Qt.DashLine))
            p.drawLine(QPointF(end_x, RULER_H), QPointF(end_x, h))
        for m in comp.markers:
            x = self.x_of(m.frame)
            col = QColor(m.colour)
            col.setAlpha(90)
            p.setPen(QPen(col, 1, Qt.DotLine))
            p.drawLine(QPointF(x, RULER_H), QPointF(x, h))
        for i, row in enumerate(self._rows):
            self._paint_track_clips(p, c, i, row)
        if not any(row.track.clips for row in self._rows):
            self._paint_empty(p, c, w, h)
        self._paint_drop_hint(p, c)
        if self._drag is not None and self._drag.band is not None:
            fill = QColor(c.accent)
            fill.setAlpha(40)
            p.setPen(QPen(QColor(c.accent), 1))
            p.setBrush(fill)
            p.drawRect(self._drag.band)
        if self.snap_frame is not None:
            x = self.x_of(self.snap_frame)
            p.setPen(QPen(QColor(c.warning), 1.5))
            p.drawLine(QPointF(x, RULER_H), QPointF(x, h))
        p.restore()
        self._paint_headers(p, c, h)
        self._paint_ruler(p, c, w)
        self._paint_playhead(p, c, h)
        p.end()

    def _paint_lanes(self, p: QPainter, c, w: int) -> None:
        for i, row in enumerate(self._rows):
            r = self.row_rect(row)
            lane = QColor(c.panel) if i % 2 == 0 else QColor(c.base).lighter(112)
            p.fillRect(QRectF(HEADER_W, r.top(), w - HEADER_W, r.height()), lane)
            if row.track.locked:
                hatch = QColor(c.muted)
                hatch.setAlpha(28)
                p.fillRect(QRectF(HEADER_W, r.top(), w - HEADER_W, r.height()), QColor(hatch))

    def _clip_colour(self, clip) -> QColor:
        role = self.controller.role(clip)
        if role == "visual":
            asset = self.controller.asset(getattr(clip, "asset_id", None))
            if asset is not None and asset.kind == "image":
                role = "image"
        return QColor(ROLE_COLOURS[role])

    def _paint_track_clips(self, p: QPainter, c, i: int, row: _Row) -> None:
        track = row.track
        w = self.viewport().width()
        dim = track.hidden or (track.muted and track.kind == "audio")
        for clip in track.clips:
            rect = self.clip_rect(clip, i)
            if rect.right() < HEADER_W or rect.left() > w:
                continue
            self._paint_clip(p, c, clip, rect, clip.id in self.controller.selected, dim or not clip.enabled)
        by_id = {x.id: x for x in track.clips}
        for tr in track.transitions:
            a, b = by_id.get(tr.a), by_id.get(tr.b)
            if a is None or b is None:
                continue
            r = self.row_rect(row)
            x0, x1 = self.x_of(b.start), self.x_of(a.end)
            box = QRectF(x0, r.top() + r.height() * 0.5, max(6.0, x1 - x0), r.height() * 0.5 - 3)
            grad = QLinearGradient(box.topLeft(), box.topRight())
            grad.setColorAt(0, QColor(255, 255, 255, 30))
            grad.setColorAt(1, QColor(255, 255, 255, 150))
            p.setPen(QPen(QColor(255, 255, 255, 200), 1))
            p.setBrush(grad)
            p.drawRoundedRect(box, 3, 3)
            p.drawLine(box.bottomLeft(), box.topRight())
            if box.width() > 60:
                p.setPen(QColor(20, 20, 24))
                f = p.font()
                f.setPointSizeF(7.5)
                p.setFont(f)
                p.drawText(box.adjusted(4, 0, -4, 0), Qt.AlignLeft | Qt.AlignVCenter, tr.kind.capitalize())

    def _paint_clip(self, p: QPainter, c, clip, rect: QRectF, selected: bool, dim: bool) -> None:
        base = self._clip_colour(clip)
        path = QPainterPath()
        path.addRoundedRect(rect, 5, 5)
        p.save()
        if dim:
            p.setOpacity(0.45)
        p.setPen(Qt.NoPen)
        p.setBrush(base.darker(165))
        p.drawPath(path)
        p.setClipPath(path)
        role = self.controller.role(clip)
        label_h = 16
        body = rect.adjusted(0, label_h, 0, 0)
        if isinstance(clip, MediaClip) and role == "visual":
            self._paint_thumbnails(p, clip, body)
        elif role == "audio":
            self._paint_waveform(p, clip, rect.adjusted(0, label_h - 2, 0, -2), base)
        elif isinstance(clip, TextClip):
            p.setPen(QColor(255, 255, 255, 200))
            f = QFont(p.font())
            f.setPointSizeF(9)
            f.setBold(True)
            p.setFont(f)
            p.drawText(body.adjusted(8, 0, -4, 0), Qt.AlignLeft | Qt.AlignVCenter, " ".join(clip.text.split()))
        elif isinstance(clip, ShapeClip):
            swatch = QRectF(body.left() + 8, body.center().y() - 7, 14, 14)
            p.setBrush(QColor(clip.fill))
            p.setPen(QPen(QColor(255, 255, 255, 160), 1))
            if clip.shape == "ellipse":
                p.drawEllipse(swatch)
            else:
                p.drawRoundedRect(swatch, 3 if clip.shape == "rounded_rectangle" else 0, 3 if clip.shape == "rounded_rectangle" else 0)
        # the label band
        band = QRectF(rect.left(), rect.top(), rect.width(), label_h)
        p.fillRect(band, base)
        self._paint_keyframe_ticks(p, clip, rect)
        p.setPen(QColor(255, 255, 255))
        f = QFont(p.font())
        f.setPointSizeF(8)
        f.setBold(False)
        p.setFont(f)
        icon = {"visual": "mdi6.filmstrip", "audio": "mdi6.music-note", "text": "mdi6.format-text", "shape": "mdi6.shape-outline"}[role]
        asset = self.controller.asset(getattr(clip, "asset_id", None))
        if asset is not None and asset.kind == "image":
            icon = "mdi6.image-outline"
        text_left = rect.left() + 5
        if rect.width() > 34:
            _icon(icon, "#FFFFFF").paint(p, QRect(int(rect.left() + 4), int(rect.top() + 2), 12, 12))
            text_left += 15
        name = clip.name or (clip.text if isinstance(clip, TextClip) else clip.kind)
        if isinstance(clip, MediaClip) and clip.speed != 1:
            name = f"{name}  ·  {clip.speed:g}×"
        metrics = p.fontMetrics()
        avail = rect.right() - text_left - 4
        if avail > 12:
            p.drawText(QRectF(text_left, rect.top(), avail, label_h), Qt.AlignLeft | Qt.AlignVCenter,
                       metrics.elidedText(name, Qt.ElideRight, int(avail)))
        p.restore()
        p.setBrush(Qt.NoBrush)
        if selected:
            p.setPen(QPen(QColor("#FFFFFF"), 2))
            p.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 5, 5)
            handle = QColor("#FFFFFF")
            p.setPen(Qt.NoPen)
            p.setBrush(handle)
            if rect.width() > 20:
                p.drawRoundedRect(QRectF(rect.left() + 1, rect.center().y() - 8, 3, 16), 1.5, 1.5)
                p.drawRoundedRect(QRectF(rect.right() - 4, rect.center().y() - 8, 3, 16), 1.5, 1.5)
        else:
            p.setPen(QPen(base.lighter(130), 1))
            p.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 5, 5)

    def _paint_keyframe_ticks(self, p: QPainter, clip, rect: QRectF) -> None:
        frames = set()
        for name in ("position", "scale", "rotation", "opacity"):
            frames.update(k.frame for k in getattr(clip.transform, name).keyframes)
        if not frames:
            return
        p.setPen(QPen(QColor(30, 30, 30), 0.8))
        p.setBrush(QColor("#FFD54A"))
        y = rect.bottom() - 6
        for f in frames:
            x = self.x_of(clip.start + f)
            p.drawPolygon(QPolygonF([QPointF(x, y - 4), QPointF(x + 4, y), QPointF(x, y + 4), QPointF(x - 4, y)]))

    def _paint_thumbnails(self, p: QPainter, clip: MediaClip, body: QRectF) -> None:
        asset = self.controller.asset(clip.asset_id)
        if asset is None or not asset.thumbnail or body.height() < 8:
            return
        pixmap = self.thumbnails.pixmap(str(self.lib_root / asset.thumbnail))
        if pixmap is None or pixmap.isNull():
            return
        th = body.height()
        tw = max(8.0, th * pixmap.width() / max(1, pixmap.height()))
        left = max(body.left(), HEADER_W - tw)
        x = body.left() + math.floor((left - body.left()) / tw) * tw
        right = min(body.right(), self.viewport().width())
        while x < right:
            p.drawPixmap(QRectF(x, body.top(), tw, th), pixmap, QRectF(pixmap.rect()))
            x += tw
        shade = QLinearGradient(body.topLeft(), body.bottomLeft())
        shade.setColorAt(0, QColor(0, 0, 0, 40))
        shade.setColorAt(1, QColor(0, 0, 0, 0))
        p.fillRect(body, shade)

    def _audio_path(self, clip: MediaClip) -> str | None:
        asset = self.controller.asset(clip.asset_id)
        if asset is not None:
            return str(self.controller.ctx.lib.media_path(asset.sha256, asset.ext))
        return clip.path

    def _paint_waveform(self, p: QPainter, clip: MediaClip, area: QRectF, base: QColor) -> None:
        path = self._audio_path(clip)
        peaks = self.waveforms.peaks(path) if path else None
        if peaks is None or not len(peaks) or self.comp is None:
            p.setPen(QPen(base.lighter(120), 1))
            p.drawLine(QPointF(area.left(), area.center().y()), QPointF(area.right(), area.center().y()))
            return
        fps = float(self.comp.rate)
        mid, half = area.center().y(), area.height() / 2 - 1
        x0 = max(area.left(), HEADER_W)
        x1 = min(area.right(), self.viewport().width())
        step = 1.0
        top, bottom = [], []
        x = x0
        while x <= x1:
            f0 = self.frame_at(x) - clip.start
            f1 = self.frame_at(x + step) - clip.start
            t0 = clip.source_in + f0 / fps * clip.speed
            t1 = clip.source_in + f1 / fps * clip.speed
            i0 = max(0, int(t0 * PEAKS_PER_SECOND))
            i1 = min(len(peaks), max(i0 + 1, int(math.ceil(t1 * PEAKS_PER_SECOND))))
            level = float(peaks[i0:i1].max()) if i0 < len(peaks) else 0.0
            gain = clip.volume.value if not clip.volume.keyframes else 1.0
            level = min(1.0, level * float(gain))
            top.append(QPointF(x, mid - level * half))
            bottom.append(QPointF(x, mid + level * half))
            x += step
        poly = QPolygonF(top + bottom[::-1])
        p.setPen(Qt.NoPen)
        p.setBrush(base.lighter(135))
        p.drawPolygon(poly)

    def _paint_empty(self, p: QPainter, c, w: int, h: int) -> None:
        area = QRectF(HEADER_W, RULER_H, w - HEADER_W, h - RULER_H)
        icon_box = QRect(int(area.center().x() - 18), int(area.center().y() - 34), 36, 36)
        _icon("mdi6.tray-arrow-down", c.muted).paint(p, icon_box)
        p.setPen(QColor(c.muted))
        p.drawText(QRectF(area.left(), icon_box.bottom() + 6, area.width(), 22), Qt.AlignHCenter | Qt.AlignTop,
                   "Drag media here from the bin, or add a text or shape at the playhead")

    def _paint_drop_hint(self, p: QPainter, c) -> None:
        if self._drop_hint is None:
            return
        track_id, frame = self._drop_hint
        x = self.x_of(frame)
        i = self.row_of_track(track_id) if track_id else None
        col = QColor(c.accent)
        if i is not None:
            r = self.row_rect(self._rows[i])
            fill = QColor(col)
            fill.setAlpha(60)
            p.setPen(QPen(col, 1.5, Qt.DashLine))
            p.setBrush(fill)
            p.drawRoundedRect(QRectF(x, r.top() + 2, max(40.0, self.comp.frames(1) * self.ppf), r.height() - 4), 5, 5)
        p.setPen(QPen(col, 2))
        p.drawLine(QPointF(x, RULER_H), QPointF(x, self.viewport().height()))

    def _paint_headers(self, p: QPainter, c, h: int) -> None:
        p.save()
        p.setClipRect(QRectF(0, RULER_H, HEADER_W, h - RULER_H))
        p.fillRect(QRectF(0, RULER_H, HEADER_W, h), QColor(c.window))
        f = QFont(p.font())
        for i, row in enumerate(self._rows):
            r = self.row_rect(row)
            box = QRectF(0, r.top(), HEADER_W - 1, r.height())
            p.fillRect(box, QColor(c.panel))
            kind_col = QColor(ROLE_COLOURS["audio" if row.track.kind == "audio" else "text" if row.track.kind == "text" else "visual"])
            if row.track.kind == "overlay":
                kind_col = QColor(ROLE_COLOURS["image"])
            p.fillRect(QRectF(0, r.top(), 3, r.height()), kind_col)
            _icon(KIND_ICONS[row.track.kind], c.muted).paint(p, QRect(10, int(r.top() + 7), 14, 14))
            f.setPointSizeF(9)
            f.setBold(True)
            p.setFont(f)
            p.setPen(QColor(c.text))
            name = row.track.name or row.track.kind.capitalize()
            p.drawText(QRectF(30, r.top() + 4, HEADER_W - 40, 20), Qt.AlignLeft | Qt.AlignVCenter,
                       p.fontMetrics().elidedText(name, Qt.ElideRight, HEADER_W - 40 if r.height() >= 50 else 60))
            for flag, rect in self._toggle_rects(i):
                on = getattr(row.track, flag)
                on_icon, off_icon, _tip = TRACK_TOGGLES[flag]
                colour = (c.warning if flag in ("solo", "locked") else c.danger) if on else c.muted
                if on:
                    bg = QColor(colour)
                    bg.setAlpha(40)
                    p.setPen(Qt.NoPen)
                    p.setBrush(bg)
                    p.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 4, 4)
                _icon(on_icon if on else off_icon, colour).paint(p, rect.adjusted(3, 3, -3, -3).toRect())
        p.restore()
        p.setPen(QPen(QColor(c.border), 1))
        p.drawLine(QPointF(HEADER_W - 0.5, RULER_H), QPointF(HEADER_W - 0.5, h))

    def _tick_step(self) -> tuple[int, int]:
        """(major, minor) tick spacing in frames, majors at least ~90 px apart."""
        base = max(1, round(self.comp.fps[0] / self.comp.fps[1]))
        choices = [1, 2, 5, 10, base // 2 or 1, base, 2 * base, 5 * base, 10 * base, 15 * base, 30 * base, 60 * base, 300 * base]
        choices = sorted(set(choices))
        major = next((s for s in choices if s * self.ppf >= 90), choices[-1])
        minor = next((s for s in reversed(choices) if s < major and major % s == 0 and s * self.ppf >= 8), major)
        return major, minor

    def _paint_ruler(self, p: QPainter, c, w: int) -> None:
        p.fillRect(QRectF(0, 0, w, RULER_H), QColor(c.window))
        comp = self.comp
        major, minor = self._tick_step()
        base = max(1, round(comp.fps[0] / comp.fps[1]))
        first = max(0, int(self.frame_at(HEADER_W)) // minor * minor)
        last = int(self.frame_at(w)) + minor
        f = QFont(p.font())
        f.setPointSizeF(7.5)
        p.setFont(f)
        for frame in range(first, last, minor):
            x = self.x_of(frame)
            if x < HEADER_W:
                continue
            if frame % major == 0:
                p.setPen(QPen(QColor(c.muted), 1))
                p.drawLine(QPointF(x, RULER_H - 12), QPointF(x, RULER_H))
                label = timecode(frame, comp.fps)
                label = label[3:8] if major % base == 0 else label[3:]
                p.setPen(QColor(c.muted))
                p.drawText(QRectF(x + 4, 2, 90, 14), Qt.AlignLeft | Qt.AlignVCenter, label)
            else:
                p.setPen(QPen(QColor(c.border), 1))
                p.drawLine(QPointF(x, RULER_H - 5), QPointF(x, RULER_H))
        c_in, c_out = self.controller.in_point, self.controller.out_point
        if c_in is not None or c_out is not None:  # the I/O (loop) region
            x0 = max(HEADER_W, self.x_of(c_in if c_in is not None else 0))
            x1 = min(w, self.x_of((c_out + 1) if c_out is not None else comp.duration))
            if x1 > x0:
                region = QColor(c.accent)
                region.setAlpha(70)
                p.fillRect(QRectF(x0, RULER_H - 8, x1 - x0, 6), region)
                p.setPen(QPen(QColor(c.accent), 2))
                if c_in is not None and self.x_of(c_in) >= HEADER_W:
                    p.drawLine(QPointF(x0, RULER_H - 10), QPointF(x0, RULER_H - 2))
                if c_out is not None:
                    p.drawLine(QPointF(x1, RULER_H - 10), QPointF(x1, RULER_H - 2))
        for m in comp.markers:
            x = self.x_of(m.frame)
            if x < HEADER_W - 6:
                continue
            p.setPen(Qt.NoPen)
            p.setBrush(QColor(m.colour))
            p.drawPolygon(QPolygonF([QPointF(x - 5, RULER_H - 12), QPointF(x + 5, RULER_H - 12), QPointF(x + 5, RULER_H - 5),
                                     QPointF(x, RULER_H - 1), QPointF(x - 5, RULER_H - 5)]))
        # the playhead's timecode in the corner above the headers
        p.fillRect(QRectF(0, 0, HEADER_W, RULER_H), QColor(c.window))
        tf = QFont(p.font())
        tf.setPointSizeF(11)
        tf.setBold(True)
        tf.setFamily("DejaVu Sans Mono")
        p.setFont(tf)
        p.setPen(QColor(c.accent))
        p.drawText(QRectF(12, 0, HEADER_W - 12, RULER_H), Qt.AlignLeft | Qt.AlignVCenter, timecode(self.controller.playhead, comp.fps))
        p.setPen(QPen(QColor(c.border), 1))
        p.drawLine(QPointF(0, RULER_H - 0.5), QPointF(w, RULER_H - 0.5))
        p.drawLine(QPointF(HEADER_W - 0.5, 0), QPointF(HEADER_W - 0.5, RULER_H))

    def _paint_playhead(self, p: QPainter, c, h: int) -> None:
        x = self.x_of(self.controller.playhead)
        if x < HEADER_W - 1:
            return
        col = QColor(c.accent).lighter(125)
        p.setPen(QPen(col, 1.5))
        p.drawLine(QPointF(x, RULER_H - 2), QPointF(x, h))
        p.setPen(Qt.NoPen)
        p.setBrush(col)
        p.drawPolygon(QPolygonF([QPointF(x - 6, 4), QPointF(x + 6, 4), QPointF(x + 6, RULER_H - 12),
                                 QPointF(x, RULER_H - 4), QPointF(x - 6, RULER_H - 12)]))

    def sizeHint(self) -> QSize:
        return QSize(900, 300)
