"""The program viewer: frames from core's FrameEvaluator rendered off the GUI thread at
preview scale, real-time playback against a monotonic clock (frames are dropped, time
never drifts), J/K/L shuttle, an I/O loop region, fit/100 % zoom and platform safe zones.

Audio is not played: PySide6-Essentials has no QtMultimedia; the preview is picture only.
"""

from __future__ import annotations

import importlib
import logging
import math
import threading
import time

from PySide6.QtCore import QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from studio.ui.shell.theme import theme
from studio.ui.workspaces.creative.timeline_model import TimelineController, timecode

log = logging.getLogger(__name__)

SCALES = (0.25, 0.5, 1.0)  # preview scales the evaluator renders at
SHUTTLE_RATES = (1, 2, 4, 8)

# Unsafe areas per platform as fractions of the frame: (top, bottom, left, right).
# APPROXIMATIONS from the platforms' published guidance; the spec catalog supplies exact values.
SAFE_ZONES = {
    "Stories": (0.14, 0.20, 0.0, 0.0),
    "Reels": (0.0, 0.35, 0.0, 0.0),
    "TikTok": (0.0, 0.20, 0.0, 0.12),
}


def evaluator_class():
    """core's FrameEvaluator, or None while the renderer is not installed."""
    try:
        return importlib.import_module("studio.core.render.evaluate").FrameEvaluator
    except ImportError:
        return None


class RenderWorker(QObject):
    """Renders the latest requested frame on its own (daemon) thread; older requests are
    dropped, never queued, so a slow frame makes playback skip, not lag."""

    frame_ready = Signal(int, object, QImage, list)  # frame, composition, image, offline clip names
    failed = Signal(str)

    def __init__(self, lib, parent=None):
        super().__init__(parent)
        self._lib = lib
        self._cond = threading.Condition()
        self._request = None
        self._stop = False
        self._thread = threading.Thread(target=self.run, name="preview-render", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _emit(self, signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the viewer went away while this frame rendered
            with self._cond:
                self._stop = True

    def request(self, comp, frame: int, scale: float) -> None:
        with self._cond:
            self._request = (comp, frame, scale)
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(5)

    def run(self) -> None:
        evaluator, made_for = None, (None, None)  # ((width, height, scale), composition)
        while True:
            with self._cond:
                while self._request is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    break
                comp, frame, scale = self._request
                self._request = None
            try:
                size = (comp.width, comp.height, scale)
                if evaluator is not None and made_for[0] == size and made_for[1] is not comp:
                    evaluator.set_composition(comp)  # an edit: keep the open decoders and cached pixels
                    made_for = (size, comp)
                if evaluator is None or made_for[0] != size:
                    if evaluator is not None:
                        evaluator.close()
                        evaluator = None
                    cls = evaluator_class()
                    if cls is None:
                        self._emit(self.failed, "The preview renderer is not installed in this build.")
                        continue
                    from studio.core.render.media import MediaResolver

                    try:
                        evaluator = cls(comp, MediaResolver(self._lib), scale=scale, backend="auto", use_proxies=True)
                    except TypeError:  # a renderer without proxy support
                        evaluator = cls(comp, MediaResolver(self._lib), scale=scale, backend="auto")
                    made_for = (size, comp)
                if not 0 <= frame < comp.duration:
                    self._emit(self.failed, "Past the end of the composition: this part is not exported.")
                    continue
                rgba = evaluator.frame(frame)
                h, w = rgba.shape[:2]
                image = QImage(rgba.data, w, h, 4 * w, QImage.Format_RGBA8888).copy()
                offline = [str(o.get("name", o)) if isinstance(o, dict) else str(o) for o in (getattr(evaluator, "offline", None) or [])]
                self._emit(self.frame_ready, frame, comp, image, offline)
            except Exception as exc:  # a bad file must not kill the viewer: say it, keep going
                log.exception("preview frame %s failed", frame)
                self._emit(self.failed, f"This frame could not be rendered: {exc}")
                if evaluator is not None:
                    try:
                        evaluator.close()
                    except Exception:
                        pass
                evaluator, made_for = None, (None, None)
        if evaluator is not None:
            evaluator.close()


class Playback(QObject):
    """Real-time playback: each tick computes the frame from a monotonic clock."""

    state_changed = Signal(bool)
    loop_changed = Signal(bool)

    def __init__(self, controller: TimelineController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.rate = 0.0  # playback speed in multiples of real time; negative: backwards
        self.loop = False
        self._anchor_frame = 0
        self._anchor_t = 0.0
        self._timer = QTimer(self, timerType=Qt.PreciseTimer, interval=8)
        self._timer.timeout.connect(self._tick)
        self.clock = time.monotonic  # tests may replace it

    @property
    def playing(self) -> bool:
        return self.rate != 0

    def region(self) -> tuple[int, int]:
        comp = self.controller.composition
        last = max(0, (comp.duration if comp else 1) - 1)
        c = self.controller
        if self.loop and c.in_point is not None and c.out_point is not None and c.in_point < c.out_point:
            return c.in_point, min(c.out_point, last)
        return 0, last

    def play(self, rate: float = 1.0) -> None:
        if self.controller.composition is None:
            return
        lo, hi = self.region()
        head = self.controller.playhead
        if rate > 0 and (head >= hi or (self.loop and not lo <= head <= hi)):
            self.controller.set_playhead(lo)
        elif rate < 0 and head <= lo:
            self.controller.set_playhead(hi)
        was = self.playing
        self.rate = rate
        self._anchor_frame, self._anchor_t = self.controller.playhead, self.clock()
        self._timer.start()
        if not was:
            self.state_changed.emit(True)

    def stop(self) -> None:
        if self.playing:
            self.rate = 0.0
            self._timer.stop()
            self.state_changed.emit(False)

    def toggle(self) -> None:
        self.stop() if self.playing else self.play(1.0)

    def shuttle(self, direction: int) -> None:
        """J (-1) / L (+1): start, or go faster each press; K (0) stops."""
        if direction == 0:
            self.stop()
            return
        if self.playing and math.copysign(1, self.rate) == direction:
            faster = [r for r in SHUTTLE_RATES if r > abs(self.rate)]
            self.play(direction * (faster[0] if faster else SHUTTLE_RATES[-1]))
        else:
            self.play(direction * 1.0)

    def set_loop(self, on: bool) -> None:
        if on != self.loop:
            self.loop = on
            self.loop_changed.emit(on)

    def _tick(self) -> None:
        comp = self.controller.composition
        if comp is None:
            self.stop()
            return
        elapsed = self.clock() - self._anchor_t
        frame = self._anchor_frame + math.floor(elapsed * float(comp.rate) * self.rate + 1e-9)
        lo, hi = self.region()
        if self.loop:
            span = hi - lo + 1
            if frame > hi or frame < lo:
                frame = lo + (frame - lo) % span
        elif frame > hi:
            self.controller.set_playhead(hi)
            self.stop()
            return
        elif frame < 0:
            self.controller.set_playhead(0)
            self.stop()
            return
        self.controller.set_playhead(frame)


class ViewerCanvas(QWidget):
    """Paints the latest frame fitted (or at 100 %), the safe-zone bands and notices."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.image: QImage | None = None
        self.canvas_size = QSize(1080, 1920)
        self.zoom_fit = True
        self.safe_zone: str | None = None
        self.message = ""
        self.offline: list[str] = []
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def frame_rect(self) -> QRectF:
        area = QRectF(self.rect()).adjusted(12, 12, -12, -12)
        w, h = self.canvas_size.width(), self.canvas_size.height()
        if self.zoom_fit or self.image is None:
            s = min(area.width() / w, area.height() / h)
        else:
            s = 1.0 / max(1.0, self.devicePixelRatioF())  # one canvas pixel per screen pixel
        rect = QRectF(0, 0, w * s, h * s)
        rect.moveCenter(area.center())
        return rect

    def paintEvent(self, event) -> None:
        c = theme().colors
        p = QPainter(self)
        p.setRenderHints(QPainter.Antialiasing | QPainter.SmoothPixmapTransform)
        p.fillRect(self.rect(), QColor("#0E0F11"))
        rect = self.frame_rect()
        if self.image is not None and not self.image.isNull():
            p.drawImage(rect, self.image)
        else:
            p.fillRect(rect, QColor("#000000"))
        p.setPen(QPen(QColor(c.border), 1))
        p.setBrush(Qt.NoBrush)
        p.drawRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5))
        if self.safe_zone in SAFE_ZONES:
            self._paint_safe_zone(p, rect, *SAFE_ZONES[self.safe_zone])
        if self.message:
            p.setPen(QColor(c.muted))
            p.drawText(rect.adjusted(16, 16, -16, -16), Qt.AlignCenter | Qt.TextWordWrap, self.message)
        if self.offline:
            box = QRectF(rect.left() + 8, rect.top() + 8, rect.width() - 16, 24)
            p.setPen(Qt.NoPen)
            p.setBrush(QColor(240, 97, 109, 200))
            p.drawRoundedRect(box, 4, 4)
            p.setPen(QColor("#FFFFFF"))
            names = ", ".join(self.offline[:3]) + ("…" if len(self.offline) > 3 else "")
            p.drawText(box.adjusted(8, 0, -8, 0), Qt.AlignVCenter | Qt.AlignLeft,
                       p.fontMetrics().elidedText(f"Media offline: {names}", Qt.ElideRight, int(box.width() - 16)))
        p.end()

    def _paint_safe_zone(self, p: QPainter, rect: QRectF, top: float, bottom: float, left: float, right: float) -> None:
        band = QColor(10, 10, 14, 130)
        edge = QPen(QColor(240, 97, 109, 200), 1, Qt.DashLine)
        bands = []
        if top:
            bands.append(QRectF(rect.left(), rect.top(), rect.width(), rect.height() * top))
        if bottom:
            bands.append(QRectF(rect.left(), rect.bottom() - rect.height() * bottom, rect.width(), rect.height() * bottom))
        if left:
            bands.append(QRectF(rect.left(), rect.top(), rect.width() * left, rect.height()))
        if right:
            bands.append(QRectF(rect.right() - rect.width() * right, rect.top(), rect.width() * right, rect.height()))
        for b in bands:
            p.fillRect(b, band)
            p.fillRect(b, QBrush(QColor(240, 97, 109, 60), Qt.BDiagPattern))
        inner = rect.adjusted(rect.width() * left, rect.height() * top, -rect.width() * right, -rect.height() * bottom)
        p.setPen(edge)
        p.setBrush(Qt.NoBrush)
        p.drawRect(inner)
        f = QFont(p.font())
        f.setPointSizeF(8)
        p.setFont(f)
        p.setPen(QColor(255, 255, 255, 220))
        p.drawText(QRectF(inner.left() + 6, inner.top() + 4, inner.width() - 12, 16), Qt.AlignLeft | Qt.AlignTop,
                   f"{self.safe_zone} safe area (approximate)")


class ViewerWidget(QWidget):
    frame_shown = Signal(int)

    def __init__(self, ctx, controller: TimelineController, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller
        self.playback = Playback(controller, self)
        self.canvas = ViewerCanvas()
        self.shown_frame: int | None = None
        self.worker = RenderWorker(ctx.lib, self)
        self.worker.frame_ready.connect(self._on_frame_ready, Qt.QueuedConnection)
        self.worker.failed.connect(self._on_failed, Qt.QueuedConnection)
        self.worker.start()
        self._rendered = 0
        self._fps_t0 = time.monotonic()
        self._pending = False
        self._build()
        self._request_timer = QTimer(self, singleShot=True, interval=0)
        self._request_timer.timeout.connect(self._request)
        self._retry = QTimer(self, interval=5000)  # the renderer may be installed later (dev builds)
        self._retry.timeout.connect(self._on_retry)
        controller.playhead_changed.connect(self._schedule)
        controller.composition_changed.connect(self._on_composition_changed)
        self.playback.state_changed.connect(self._on_play_state)
        self.playback.loop_changed.connect(self.loop_button.setChecked)
        theme().changed.connect(self._retint)
        self._on_composition_changed()

    def _build(self) -> None:
        self.time_label = QLabel("00:00:00:00", objectName="ViewerTime")
        self.time_label.setStyleSheet("font-family: 'DejaVu Sans Mono'; font-size: 13px; font-weight: 600;")
        self.duration_label = QLabel("", objectName="Muted")
        self.duration_label.setStyleSheet("font-family: 'DejaVu Sans Mono';")
        self.fps_label = QLabel("", objectName="Muted")

        def button(icon, tip, slot, checkable=False):
            b = QToolButton(toolTip=tip, autoRaise=True, checkable=checkable)
            b.setAccessibleName(tip)
            b.setIconSize(QSize(18, 18))
            b.clicked.connect(slot)
            b._icon_name = icon
            return b

        self.start_button = button("mdi6.skip-previous", "Go to start (Home)", lambda: self.controller.set_playhead(0))
        self.back_button = button("mdi6.step-backward", "Previous frame (Left)", lambda: self.step(-1))
        self.play_button = button("mdi6.play", "Play / pause (Space)", self.playback.toggle)
        self.play_button.setIconSize(QSize(24, 24))
        self.fwd_button = button("mdi6.step-forward", "Next frame (Right)", lambda: self.step(1))
        self.end_button = button("mdi6.skip-next", "Go to end (End)", self.go_end)
        self.loop_button = button("mdi6.repeat", "Loop playback (between I and O marks when both are set)", self.playback.set_loop, True)
        self.in_button = button("mdi6.contain-start", "Mark in (I)", self.mark_in)
        self.out_button = button("mdi6.contain-end", "Mark out (O)", self.mark_out)
        self.safe_combo = QComboBox(toolTip="Safe-zone overlay: where each platform's interface covers the ad")
        self.safe_combo.addItems(["No safe zone", *SAFE_ZONES])
        self.safe_combo.currentTextChanged.connect(self._on_safe_zone)
        self.zoom_combo = QComboBox(toolTip="Viewer zoom")
        self.zoom_combo.addItems(["Fit", "100%"])
        self.zoom_combo.currentIndexChanged.connect(self._on_zoom)
        self._buttons = [self.start_button, self.back_button, self.play_button, self.fwd_button, self.end_button,
                         self.loop_button, self.in_button, self.out_button]
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 4, 8, 6)
        bar.setSpacing(2)
        bar.addWidget(self.time_label)
        bar.addWidget(self.duration_label)
        bar.addSpacing(6)
        bar.addWidget(self.fps_label)
        bar.addStretch(1)
        for b in (self.in_button, self.start_button, self.back_button, self.play_button, self.fwd_button, self.end_button, self.out_button):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.loop_button)
        bar.addWidget(self.safe_combo)
        bar.addWidget(self.zoom_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(bar)
        self._retint()

    def _retint(self) -> None:
        for b in self._buttons:
            name = b._icon_name
            if b is self.play_button and self.playback.playing:
                name = "mdi6.pause"
            b.setIcon(theme().icon(name, active=b.isCheckable() and b.isChecked()))

    # ---- transport ------------------------------------------------------------------------------
    def step(self, frames: int) -> None:
        self.playback.stop()
        self.controller.set_playhead(self.controller.playhead + frames)

    def go_end(self) -> None:
        comp = self.controller.composition
        if comp is not None:
            self.controller.set_playhead(comp.duration - 1)

    def mark_in(self) -> None:
        self.controller.set_marks(self.controller.playhead, self.controller.out_point)

    def mark_out(self) -> None:
        self.controller.set_marks(self.controller.in_point, self.controller.playhead)

    def _on_play_state(self, playing: bool) -> None:
        self._retint()
        self._rendered, self._fps_t0 = 0, time.monotonic()
        self.fps_label.setText("")

    # ---- rendering ------------------------------------------------------------------------------
    def preview_scale(self) -> float:
        comp = self.controller.composition
        if comp is None:
            return 0.5
        if not self.canvas.zoom_fit:
            return 1.0
        rect = self.canvas.frame_rect()
        need = rect.height() * self.devicePixelRatioF() / comp.height
        return next((s for s in SCALES if s >= need * 0.9), SCALES[-1])

    def _schedule(self, *_args) -> None:
        comp = self.controller.composition
        if comp is not None:
            self.time_label.setText(timecode(self.controller.playhead, comp.fps))
            self.setProperty("rendering", True)  # a frame is on its way (screenshots wait for it)
        self._request_timer.start()

    def _request(self) -> None:
        comp = self.controller.composition
        if comp is None:
            return
        self.worker.request(comp, self.controller.playhead, self.preview_scale())

    def _on_composition_changed(self) -> None:
        comp = self.controller.composition
        if comp is None:
            self.playback.stop()
            self.canvas.image = None
            self.canvas.message = ""
            self.duration_label.setText("")
            self.canvas.update()
            return
        self.canvas.canvas_size = QSize(comp.width, comp.height)
        self.duration_label.setText(f"/ {timecode(comp.duration, comp.fps)}")
        self._schedule()

    def _on_frame_ready(self, frame: int, comp, image: QImage, offline: list) -> None:
        self.setProperty("rendering", False)
        self.canvas.image = image
        self.canvas.message = ""
        self.canvas.offline = offline
        self.canvas.update()
        self.shown_frame = frame
        self._retry.stop()
        if self.playback.playing:
            self._rendered += 1
            dt = time.monotonic() - self._fps_t0
            if dt >= 1.0:
                self.fps_label.setText(f"{self._rendered / dt:.0f} fps")
                self._rendered, self._fps_t0 = 0, time.monotonic()
        self.frame_shown.emit(frame)

    def _on_failed(self, message: str) -> None:
        self.setProperty("rendering", False)
        self.canvas.message = message
        self.canvas.image = None
        self.canvas.update()
        if evaluator_class() is None and not self._retry.isActive():
            self._retry.start()

    def _on_retry(self) -> None:
        if evaluator_class() is not None:
            self._retry.stop()
            self._request()

    def _on_safe_zone(self, text: str) -> None:
        self.canvas.safe_zone = text if text in SAFE_ZONES else None
        self.canvas.update()

    def _on_zoom(self, index: int) -> None:
        self.canvas.zoom_fit = index == 0
        self.canvas.update()
        self._request()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._request_timer.start()

    def shutdown(self) -> None:
        self.playback.stop()
        self.worker.stop()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
