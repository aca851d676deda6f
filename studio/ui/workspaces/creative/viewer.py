"""The program viewer: frames from core's FrameEvaluator rendered off the GUI thread at
preview scale (from proxies of heavy videos, made automatically, unless switched off), with the
compositing backend chosen in Settings; real-time playback (frames are dropped, time never
drifts) whose clock is the sound when it plays (1× forwards) and a monotonic timer otherwise
(J/K/L shuttle, no audio device); an I/O loop region, fit/100 % zoom, platform safe zones, and
a "Media offline" banner whose Relink… button opens the relink dialog.
"""

from __future__ import annotations

import importlib
import logging
import math
import threading
import time

from PySide6.QtCore import QObject, QRectF, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.render.media import MediaResolver
from studio.core.timeline.model import MediaClip
from studio.ui.shell.render_settings import render_settings
from studio.ui.shell.theme import theme
from studio.ui.workspaces.creative.audio_player import AudioPlayer
from studio.ui.workspaces.creative.proxy_queue import ProxyQueue
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


def proxied_clips(comp, resolver: MediaResolver) -> int:
    """How many media clips a preview reads from a proxy (when proxies are on)."""
    count = 0
    for _track, clip in comp.clips():
        path = resolver.path(clip) if isinstance(clip, MediaClip) else None
        if path is not None and path.is_file() and resolver.proxy(path) is not None:
            count += 1
    return count


class RenderWorker(QObject):
    """Renders the latest requested frame on its own (daemon) thread; older requests are
    dropped, never queued, so a slow frame makes playback skip, not lag."""

    frame_ready = Signal(int, object, QImage, list)  # frame, composition, image, offline clips (dicts: clip_id, name, reason)
    failed = Signal(str)
    notes = Signal(list)  # what a new evaluator's backend had to fall back from (no GPU), in words
    proxies_used = Signal(int)  # how many clips the preview reads from proxies

    def __init__(self, lib, backend: str = "auto", use_proxies: bool = True, parent=None):
        super().__init__(parent)
        self._lib = lib
        self._cond = threading.Condition()
        self._request = None
        self._options = (backend, use_proxies)
        self._stale = False
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

    def configure(self, backend: str, use_proxies: bool) -> None:
        """Render the next frame with these options (a new evaluator)."""
        with self._cond:
            if (backend, use_proxies) != self._options:
                self._options = (backend, use_proxies)
                self._stale = True

    def refresh(self) -> None:
        """Files changed on disk (a new proxy): the next frame reopens them."""
        with self._cond:
            self._stale = True

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
                stale, self._stale = self._stale, False
                backend, use_proxies = self._options
            try:
                size = (comp.width, comp.height, scale)
                if evaluator is not None and (stale or made_for[0] != size):
                    evaluator.close()
                    evaluator = None
                if evaluator is not None and made_for[1] is not comp:
                    evaluator.set_composition(comp)  # an edit: keep the open decoders and cached pixels
                    made_for = (size, comp)
                    self._emit(self.proxies_used, proxied_clips(comp, evaluator.resolver) if use_proxies else 0)
                if evaluator is None:
                    cls = evaluator_class()
                    if cls is None:
                        self._emit(self.failed, "The preview renderer is not installed in this build.")
                        continue
                    evaluator = cls(comp, MediaResolver(self._lib), scale=scale, backend=backend, use_proxies=use_proxies)
                    made_for = (size, comp)
                    self._emit(self.notes, list(evaluator.problems))  # a new evaluator's only problems: its backend's
                    self._emit(self.proxies_used, proxied_clips(comp, evaluator.resolver) if use_proxies else 0)
                if not 0 <= frame < comp.duration:
                    self._emit(self.failed, "Past the end of the composition: this part is not exported.")
                    continue
                rgba = evaluator.frame(frame)
                h, w = rgba.shape[:2]
                image = QImage(rgba.data, w, h, 4 * w, QImage.Format_RGBA8888).copy()
                offline = [o if isinstance(o, dict) else {"name": str(o)} for o in (getattr(evaluator, "offline", None) or [])]
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
    """Real-time playback: each tick computes the frame from the clock. At 1× forwards with sound
    on, the clock is the audio sink's (the picture follows the sound); otherwise, or when there is
    no audio device, a monotonic timer."""

    state_changed = Signal(bool)
    loop_changed = Signal(bool)

    def __init__(self, controller: TimelineController, audio: AudioPlayer | None = None, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.audio = audio
        self.sound = True  # the user's sound toggle
        self.audio_clock = False  # the sound is playing and the picture follows it
        self.rate = 0.0  # playback speed in multiples of real time; negative: backwards
        self.loop = False
        self._anchor_frame = 0
        self._anchor_t = 0.0
        self._timer = QTimer(self, timerType=Qt.PreciseTimer, interval=8)
        self._timer.timeout.connect(self._tick)
        # an edit, new marks or the loop switch while sound plays: restart it (once the edits settle)
        self._audio_restart = QTimer(self, singleShot=True, interval=150)
        self._audio_restart.timeout.connect(self._reanchor)
        for signal in (controller.composition_changed, controller.marks_changed, self.loop_changed):
            signal.connect(self._on_audio_source_changed)
        if audio is not None:
            audio.failed.connect(self._on_audio_failed)
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
        self._reanchor()
        self._timer.start()
        if not was:
            self.state_changed.emit(True)

    def _reanchor(self) -> None:
        """Count time from the playhead anew, on the sound's clock when it can play."""
        if self.audio is not None:
            self.audio.stop()
        self._anchor_frame, self._anchor_t = self.controller.playhead, self.clock()
        self.audio_clock = False
        if self.audio is not None and self.sound and self.rate == 1.0:
            lo, hi = self.region()
            self.audio_clock = self.audio.start(self.controller.composition, self._anchor_frame, lo, hi, self.loop)

    def _on_audio_source_changed(self, *_args) -> None:
        if self.audio_clock:
            self._audio_restart.start()

    def _on_audio_failed(self, _message: str) -> None:
        """Play on silently from where the picture is, on the timer."""
        if self.audio_clock:
            self.audio_clock = False
            self._anchor_frame, self._anchor_t = self.controller.playhead, self.clock()

    def set_sound(self, on: bool) -> None:
        self.sound = on
        if self.playing:
            self._reanchor()

    def stop(self) -> None:
        self._audio_restart.stop()
        if self.audio is not None:
            self.audio.stop()
        self.audio_clock = False
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
        elapsed = self.audio.elapsed() if self.audio_clock else self.clock() - self._anchor_t
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


class OfflineBanner(QFrame):
    """"Media offline: names" across the top of the frame, with a Relink… button."""

    def __init__(self, parent=None):
        super().__init__(parent, objectName="OfflineBanner")
        self.setAttribute(Qt.WA_StyledBackground)
        self.setStyleSheet("#OfflineBanner { background: rgba(240, 97, 109, 215); border-radius: 4px; }"
                           "#OfflineBanner QLabel { color: #FFFFFF; font-weight: 600; }"
                           "#OfflineBanner QPushButton { color: #FFFFFF; background: rgba(0, 0, 0, 60);"
                           " border: 1px solid rgba(255, 255, 255, 150); border-radius: 3px; padding: 2px 10px; }"
                           "#OfflineBanner QPushButton:hover { background: rgba(0, 0, 0, 110); }")
        self.label = QLabel()
        self.label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.relink_button = QPushButton("Relink…", toolTip="Find the missing files and point the clips at them")
        self.relink_button.setCursor(Qt.PointingHandCursor)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.relink_button)
        self.text = ""
        self.hide()

    def set_names(self, names: list[str]) -> None:
        self.text = ("Media offline: " + ", ".join(names[:3]) + ("…" if len(names) > 3 else "")) if names else ""
        self.label.setToolTip("\n".join(names))
        self._elide()
        self.setVisible(bool(names))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.label.setText(self.label.fontMetrics().elidedText(self.text, Qt.ElideRight, max(0, self.label.width())))


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
        self.banner = OfflineBanner(self)
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_offline(self, names: list[str], relinkable: bool = True) -> None:
        self.offline = names
        self.banner.set_names(names)
        self.banner.relink_button.setVisible(relinkable)
        self.refresh()

    def refresh(self) -> None:
        """Repaint after the image, size or zoom changed; the banner follows the frame's top edge."""
        rect = self.frame_rect()
        self.banner.setGeometry(round(rect.left()) + 8, round(rect.top()) + 8, max(0, round(rect.width()) - 16), 34)
        self.update()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.refresh()

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
        settings = QSettings()
        self.audio = AudioPlayer(ctx.lib, self)
        self.playback = Playback(controller, self.audio, self)
        self.playback.sound = settings.value("viewer/sound", True, type=bool)
        self.canvas = ViewerCanvas()
        self.shown_frame: int | None = None
        self.relink_dialog = None
        self._told: set[str] = set()  # backend notes the user has seen
        self.use_proxies = settings.value("viewer/proxies", True, type=bool)
        self.worker = RenderWorker(ctx.lib, render_settings().backend(), self.use_proxies, self)
        self.worker.frame_ready.connect(self._on_frame_ready, Qt.QueuedConnection)
        self.worker.failed.connect(self._on_failed, Qt.QueuedConnection)
        self.worker.notes.connect(self._on_notes, Qt.QueuedConnection)
        self.worker.proxies_used.connect(self._on_proxies_used, Qt.QueuedConnection)
        self.worker.start()
        self.proxies = ProxyQueue(ctx, controller, self)
        self.proxies.enabled = self.use_proxies
        self.proxies.proxy_ready.connect(self.refresh_media)
        self._rendered = 0
        self._fps_t0 = time.monotonic()
        self._build()
        self._request_timer = QTimer(self, singleShot=True, interval=0)
        self._request_timer.timeout.connect(self._request)
        self._requested = None  # the composition of the latest frame asked of the worker
        self._retry = QTimer(self, interval=5000)  # the renderer may be installed later (dev builds)
        self._retry.timeout.connect(self._on_retry)
        controller.playhead_changed.connect(self._schedule)
        controller.composition_changed.connect(self._on_composition_changed)
        if hasattr(controller, "variant_changed"):
            controller.variant_changed.connect(self._on_composition_changed)
        self.playback.state_changed.connect(self._on_play_state)
        self.playback.loop_changed.connect(self.loop_button.setChecked)
        self.audio.failed.connect(lambda message: ctx.notify(message, "warning"))
        self.canvas.banner.relink_button.clicked.connect(lambda: self.open_relink())
        render_settings().backend_changed.connect(self._on_backend_changed)
        theme().changed.connect(self._retint)
        self._on_composition_changed()

    def _build(self) -> None:
        self.time_label = QLabel("00:00:00:00", objectName="ViewerTime")
        self.time_label.setStyleSheet("font-family: 'DejaVu Sans Mono'; font-size: 13px; font-weight: 600;")
        self.duration_label = QLabel("", objectName="Muted")
        self.duration_label.setStyleSheet("font-family: 'DejaVu Sans Mono';")
        self.fps_label = QLabel("", objectName="Muted")
        self.proxy_label = QLabel("PROXY", objectName="Muted", visible=False)
        self.proxy_label.setStyleSheet("font-size: 10px; font-weight: 700; border: 1px solid palette(mid); border-radius: 3px; padding: 0 4px;")

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
        self.sound_button = button("mdi6.volume-high", "Sound: plays the composition's audio at normal speed", self.set_sound, True)
        self.sound_button.setChecked(self.playback.sound)
        self.proxies_button = button("mdi6.speedometer", "Preview: proxies on/off. On, heavy videos are previewed from small "
                                     "copies made in the background; exports always read the originals.", self.set_proxies, True)
        self.proxies_button.setChecked(self.use_proxies)
        self.safe_combo = QComboBox(toolTip="Safe-zone overlay: where each platform's interface covers the ad")
        self.safe_combo.addItems(["No safe zone", *SAFE_ZONES])
        self.safe_combo.currentTextChanged.connect(self._on_safe_zone)
        self.zoom_combo = QComboBox(toolTip="Viewer zoom")
        self.zoom_combo.addItems(["Fit", "100%"])
        self.zoom_combo.currentIndexChanged.connect(self._on_zoom)
        self._buttons = [self.start_button, self.back_button, self.play_button, self.fwd_button, self.end_button,
                         self.loop_button, self.in_button, self.out_button, self.sound_button, self.proxies_button]
        # Above the picture: how it is shown (proxies, safe zones, zoom); below it: the transport.
        # Two short rows keep the viewer usable at the width a laptop screen leaves it.
        head = QHBoxLayout()
        head.setContentsMargins(8, 4, 8, 2)
        head.setSpacing(4)
        head.addWidget(self.fps_label)
        head.addWidget(self.proxy_label)
        head.addStretch(1)
        for w in (self.proxies_button, self.safe_combo, self.zoom_combo):
            head.addWidget(w)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 4, 8, 6)
        bar.setSpacing(2)
        bar.addWidget(self.time_label)
        bar.addWidget(self.duration_label)
        bar.addStretch(1)
        for b in (self.in_button, self.start_button, self.back_button, self.play_button, self.fwd_button, self.end_button, self.out_button):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.sound_button)
        bar.addWidget(self.loop_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(head)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(bar)
        self._retint()

    def _retint(self) -> None:
        for b in self._buttons:
            name = b._icon_name
            if b is self.play_button and self.playback.playing:
                name = "mdi6.pause"
            elif b is self.sound_button and not b.isChecked():
                name = "mdi6.volume-off"
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

    def set_sound(self, on: bool) -> None:
        QSettings().setValue("viewer/sound", on)
        self.sound_button.setChecked(on)
        self.playback.set_sound(on)
        self._retint()

    def _on_play_state(self, playing: bool) -> None:
        self._retint()
        self._rendered, self._fps_t0 = 0, time.monotonic()
        self.fps_label.setText("")

    # ---- preview options ------------------------------------------------------------------------
    def set_proxies(self, on: bool) -> None:
        """Preview heavy videos from proxies (made in the background), or from the originals."""
        QSettings().setValue("viewer/proxies", on)
        self.use_proxies = on
        self.proxies_button.setChecked(on)
        self._retint()
        self.worker.configure(render_settings().backend(), on)
        self.proxies.set_enabled(on)
        self._request()

    def _on_backend_changed(self, backend: str) -> None:
        self._told.clear()  # a new choice: its fallback, if any, is news again
        self.worker.configure(backend, self.use_proxies)
        self._request()

    def _on_notes(self, notes: list) -> None:
        for note in notes:
            if note not in self._told:
                self._told.add(note)
                self.ctx.notify(note, "warning")

    def refresh_media(self, *_args) -> None:
        """Files changed on disk (a proxy was made, media relinked): render from them."""
        self.worker.refresh()
        self._request()

    def _on_proxies_used(self, count: int) -> None:
        self.proxy_label.setVisible(count > 0)
        self.proxy_label.setToolTip(f"{count} clip{'s are' if count != 1 else ' is'} previewed from a proxy "
                                    "(a small copy made for smooth playback); exports read the originals.")

    def open_relink(self, clip_id: str | None = None):
        """The relink dialog for the composition's offline media (clip_id: that clip's row first)."""
        from studio.ui.workspaces.creative.relink import RelinkDialog

        if self.controller.composition is None:
            return None
        if self.relink_dialog is not None and self.relink_dialog.isVisible():
            self.relink_dialog.focus_clip(clip_id)
        else:
            self.relink_dialog = RelinkDialog(self.ctx, self.controller, clip_id, self.window())
            self.relink_dialog.relinked.connect(self.refresh_media)
            self.relink_dialog.show()
        self.relink_dialog.raise_()
        self.relink_dialog.activateWindow()
        return self.relink_dialog

    # ---- rendering ------------------------------------------------------------------------------
    def shown_composition(self):
        """The composition as the editor shows it: laid out as its current aspect variant."""
        c = self.controller
        return c.display_composition() if hasattr(c, "display_composition") else c.composition

    def preview_scale(self) -> float:
        comp = self.shown_composition()
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
        comp = self.shown_composition()
        if comp is None:
            return
        self._requested = comp
        self.worker.request(comp, self.controller.playhead, self.preview_scale())

    def _on_composition_changed(self) -> None:
        comp = self.shown_composition()
        if comp is None:
            self.playback.stop()
            self.canvas.image = None
            self.canvas.message = ""
            self.canvas.set_offline([])
            self.duration_label.setText("")
            self.proxy_label.hide()
            return
        self.canvas.canvas_size = QSize(comp.width, comp.height)
        self.canvas.refresh()
        self.duration_label.setText(f"/ {timecode(comp.duration, comp.fps)}")
        self._schedule()

    def _on_frame_ready(self, frame: int, comp, image: QImage, offline: list) -> None:
        if QSize(comp.width, comp.height) != self.canvas.canvas_size:
            return  # rendered for the layout shown before a variant switch; the new one is coming
        if comp is self._requested and not self._request_timer.isActive():
            self.setProperty("rendering", False)  # the latest frame asked for, nothing newer pending
        self.canvas.image = image
        self.canvas.message = ""
        # Relink… finds media files; a Kata clip is offline because its recipe or photos are gone
        relinkable = any(isinstance(comp.find_clip(o.get("clip_id", ""))[1], MediaClip) for o in offline)
        self.canvas.set_offline([str(o.get("name", "")) for o in offline], relinkable)
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
        self.canvas.refresh()
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
        self.canvas.refresh()
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
