"""How the timeline looks: its layout constants and the painting half of TimelineView.

Ruler with timecode on top, track headers on the left (disclosure triangle, kind, name,
toggles), clips as rounded rects coloured by kind (video clips carry their thumbnail strip,
audio clips a waveform, Kata clips their recipe's name), offline clips hatched red, transitions as bands over the overlaps,
keyframe lanes under expanded tracks, markers and the playhead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import qtawesome as qta
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QLinearGradient, QPainter, QPainterPath, QPen, QPolygonF

from studio.core.timeline import edits
from studio.core.timeline.model import KataClip, MediaClip, ShapeClip, TextClip, Track
from studio.ui.shell.theme import theme
from studio.ui.workspaces.creative.timeline_model import TRANSITION_NAMES, timecode

HEADER_W = 184
RULER_H = 30
TRACK_H = {"video": 64, "overlay": 52, "text": 44, "audio": 56}
LANE_H = 22  # one keyframe lane
LABEL_H = 16  # a clip's name band
GAP = 2
EDGE_PX = 7  # the grab zone for trimming at each clip edge
KEY_PX = 6  # the grab zone around a keyframe diamond
NAME_X = 44  # where a track's name starts in its header

ROLE_COLOURS = {  # base colours of clips by what they hold (CapCut/Premiere-like)
    "visual": "#3E6FD8", "image": "#2E9C9A", "audio": "#2FA36B", "text": "#9B5BD6", "shape": "#D9822B",
    "kata": "#B8932A",  # a saved Kata placement (product in scene)
}
OFFLINE_COLOUR = "#C8414B"
TRACK_TOGGLES = {  # flag -> (icon on, icon off, tip)
    "hidden": ("mdi6.eye-off-outline", "mdi6.eye-outline", "Hide track"),
    "muted": ("mdi6.volume-off", "mdi6.volume-high", "Mute track"),
    "solo": ("mdi6.alpha-s-box", "mdi6.alpha-s-box-outline", "Solo track"),
    "locked": ("mdi6.lock-outline", "mdi6.lock-open-variant-outline", "Lock track"),
}
KIND_TOGGLES = {"video": ("hidden", "muted", "solo", "locked"), "overlay": ("hidden", "solo", "locked"),
                "text": ("hidden", "solo", "locked"), "audio": ("muted", "solo", "locked")}
KIND_ICONS = {"video": "mdi6.filmstrip", "overlay": "mdi6.layers-outline", "text": "mdi6.format-text", "audio": "mdi6.waveform"}
LANES = {  # the keyframe lanes an expanded track shows, by track kind
    "video": ("position", "scale", "rotation", "opacity", "volume"),
    "overlay": ("position", "scale", "rotation", "opacity"),
    "text": ("position", "scale", "rotation", "opacity"),
    "audio": ("volume",),
}
PROP_NAMES = {"position": "Position", "scale": "Scale", "rotation": "Rotation", "opacity": "Opacity", "volume": "Volume"}
EASING_NAMES = {"linear": "Linear", "ease_in": "Ease in", "ease_out": "Ease out", "ease_in_out": "Ease in/out", "hold": "Hold"}
ARROWS = {"left": "←", "right": "→", "up": "↑", "down": "↓"}

_icons: dict[tuple[str, str], object] = {}


def icon(name: str, colour: str):
    key = (name, colour)
    if key not in _icons:
        _icons[key] = qta.icon(name, color=colour)
    return _icons[key]


def transition_icon(kind: str, direction: str) -> str:
    if kind == "slide":
        return f"mdi6.arrow-{direction}-bold"
    if kind == "wipe":
        return "mdi6.view-split-vertical" if direction in ("left", "right") else "mdi6.view-split-horizontal"
    return {"crossfade": "mdi6.transition", "dip": "mdi6.circle-half-full"}[kind]


def transition_label(tr) -> str:
    name = TRANSITION_NAMES[tr.kind]
    return f"{name} {ARROWS[tr.direction]}" if tr.kind in ("slide", "wipe") else name


@dataclass
class Row:
    track: Track
    top: int  # content y (0 = just under the ruler)
    height: int  # the clips' band
    lanes: tuple[str, ...] = ()  # keyframe lanes under the clips, when the track is expanded

    @property
    def full_height(self) -> int:
        return self.height + LANE_H * len(self.lanes)


class TimelinePainting:
    """The painting half of TimelineView (it supplies the geometry and the state)."""

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
        self._paint_rows(p, c, w)
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
            if row.lanes:
                self._paint_keyframe_lanes(p, c, i, row)
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
        self._paint_track_drop(p, c, w)
        self._paint_ruler(p, c, w)
        self._paint_playhead(p, c, h)
        p.end()

    def _paint_rows(self, p: QPainter, c, w: int) -> None:
        for i, row in enumerate(self._rows):
            r = self.row_rect(row)
            full = QRectF(HEADER_W, r.top(), w - HEADER_W, row.full_height)
            p.fillRect(full, QColor(c.panel) if i % 2 == 0 else QColor(c.base).lighter(112))
            if row.track.locked:
                hatch = QColor(c.muted)
                hatch.setAlpha(28)
                p.fillRect(full, hatch)

    def _clip_colour(self, clip) -> QColor:
        if clip.id in self.offline:
            return QColor(OFFLINE_COLOUR)
        if isinstance(clip, KataClip):
            return QColor(ROLE_COLOURS["kata"])
        role = self.controller.role(clip)
        if role == "visual":
            asset = self.controller.asset(getattr(clip, "asset_id", None))
            if asset is not None and asset.kind == "image":
                role = "image"
        return QColor(ROLE_COLOURS[role])

    def _recipe_label(self, clip: KataClip) -> str:
        name = self.controller.recipe_name(clip.recipe_id)
        return f"Kata · {name}" if name is not None else f"Kata recipe {clip.recipe_id} (deleted)"

    def _paint_track_clips(self, p: QPainter, c, i: int, row: Row) -> None:
        track = row.track
        w = self.viewport().width()
        dim = track.hidden or (track.muted and track.kind == "audio")
        for clip in track.clips:
            rect = self.clip_rect(clip, i)
            if rect.right() < HEADER_W or rect.left() > w:
                continue
            self._paint_clip(p, c, clip, rect, clip.id in self.controller.selected, dim or not clip.enabled, ticks=not row.lanes)
        by_id = {x.id: x for x in track.clips}
        for tr in track.transitions:
            a, b = by_id.get(tr.a), by_id.get(tr.b)
            if a is not None and b is not None:
                self._paint_transition(p, c, tr, self.transition_rect(i, a, b), self.selected_transition == (tr.a, tr.b))

    def _paint_transition(self, p: QPainter, c, tr, box: QRectF, selected: bool) -> None:
        p.save()
        grad = QLinearGradient(box.topLeft(), box.topRight())
        grad.setColorAt(0, QColor(18, 18, 24, 150))
        grad.setColorAt(1, QColor(255, 255, 255, 120))
        p.setPen(QPen(QColor(c.accent) if selected else QColor(255, 255, 255, 210), 2 if selected else 1))
        p.setBrush(grad)
        p.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        if selected:
            tint = QColor(c.accent)
            tint.setAlpha(70)
            p.fillRect(box.adjusted(2, 2, -2, -2), tint)
        size = min(14, int(box.height()) - 4)
        if box.width() >= size + 4 and size >= 8:
            label = transition_label(tr)
            f = QFont(p.font())
            f.setPointSizeF(7.5)
            f.setBold(True)
            p.setFont(f)
            text_w = p.fontMetrics().horizontalAdvance(label) + 4
            show_text = box.width() >= size + text_w + 12
            left = box.center().x() - ((size + text_w) if show_text else size) / 2
            chip = QRectF(left - 3, box.center().y() - size / 2 - 2, (size + text_w if show_text else size) + 6, size + 4)
            p.setPen(Qt.NoPen)
            p.setBrush(QColor(18, 18, 24, 200))
            p.drawRoundedRect(chip, 4, 4)
            icon(transition_icon(tr.kind, tr.direction), "#FFFFFF").paint(p, QRect(int(left), int(box.center().y() - size / 2), size, size))
            if show_text:
                p.setPen(QColor("#FFFFFF"))
                p.drawText(QRectF(left + size + 3, chip.top(), text_w, chip.height()), Qt.AlignLeft | Qt.AlignVCenter, label)
        p.restore()

    def _paint_clip(self, p: QPainter, c, clip, rect: QRectF, selected: bool, dim: bool, ticks: bool) -> None:
        base = self._clip_colour(clip)
        offline = clip.id in self.offline
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
        body = rect.adjusted(0, LABEL_H, 0, 0)
        if offline:  # hatched: there is nothing to show, and it must not look like a picture
            p.setBrush(QBrush(base.lighter(115), Qt.BDiagPattern))
            p.drawRect(body)
        elif isinstance(clip, MediaClip) and role == "visual":
            self._paint_thumbnails(p, clip, body)
        elif isinstance(clip, KataClip):
            p.setPen(QColor(255, 255, 255, 200))
            icon("mdi6.cube-outline", "#FFFFFF").paint(p, QRect(int(body.left() + 6), int(body.center().y() - 7), 14, 14))
            p.drawText(body.adjusted(26, 0, -4, 0), Qt.AlignLeft | Qt.AlignVCenter, self._recipe_label(clip))
        elif role == "audio":
            self._paint_waveform(p, clip, rect.adjusted(0, LABEL_H - 2, 0, -2), base)
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
        band = QRectF(rect.left(), rect.top(), rect.width(), LABEL_H)
        p.fillRect(band, base)
        if ticks:
            self._paint_keyframe_ticks(p, clip, rect)
        p.setPen(QColor(255, 255, 255))
        f = QFont(p.font())
        f.setPointSizeF(8)
        f.setBold(offline)
        p.setFont(f)
        icon_name = {"visual": "mdi6.filmstrip", "audio": "mdi6.music-note", "text": "mdi6.format-text", "shape": "mdi6.shape-outline"}[role]
        asset = self.controller.asset(getattr(clip, "asset_id", None))
        if offline:
            icon_name = "mdi6.link-variant-off"
        elif isinstance(clip, KataClip):
            icon_name = "mdi6.cube-outline"
        elif asset is not None and asset.kind == "image":
            icon_name = "mdi6.image-outline"
        text_left = rect.left() + 5
        if rect.width() > 34:
            icon(icon_name, "#FFFFFF").paint(p, QRect(int(rect.left() + 4), int(rect.top() + 2), 12, 12))
            text_left += 15
        name = clip.name or (clip.text if isinstance(clip, TextClip) else self._recipe_label(clip) if isinstance(clip, KataClip) else clip.kind)
        if offline:
            name = f"Offline  ·  {name}"
        elif isinstance(clip, MediaClip) and clip.speed != 1:
            name = f"{name}  ·  {clip.speed:g}×"
        metrics = p.fontMetrics()
        avail = rect.right() - text_left - 4
        if avail > 12:
            p.drawText(QRectF(text_left, rect.top(), avail, LABEL_H), Qt.AlignLeft | Qt.AlignVCenter,
                       metrics.elidedText(name, Qt.ElideRight, int(avail)))
        p.restore()
        p.setBrush(Qt.NoBrush)
        if selected:
            p.setPen(QPen(QColor("#FFFFFF"), 2))
            p.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 5, 5)
            p.setPen(Qt.NoPen)
            p.setBrush(QColor("#FFFFFF"))
            if rect.width() > 20:
                p.drawRoundedRect(QRectF(rect.left() + 1, rect.center().y() - 8, 3, 16), 1.5, 1.5)
                p.drawRoundedRect(QRectF(rect.right() - 4, rect.center().y() - 8, 3, 16), 1.5, 1.5)
        else:
            p.setPen(QPen(base.lighter(130), 1))
            p.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 5, 5)

    def _paint_keyframe_ticks(self, p: QPainter, clip, rect: QRectF) -> None:
        """Collapsed tracks: a small diamond on the clip wherever some property has a keyframe."""
        frames = set()
        for prop in edits.animated_props(clip):
            frames.update(k.frame for k in edits.animated(clip, prop).keyframes if k.frame < clip.duration)
        if not frames:
            return
        p.setPen(QPen(QColor(30, 30, 30), 0.8))
        p.setBrush(QColor("#FFD54A"))
        y = rect.bottom() - 6
        for f in frames:
            _diamond(p, self.x_of(clip.start + f), y, 4, "linear")

    def _paint_keyframe_lanes(self, p: QPainter, c, i: int, row: Row) -> None:
        w = self.viewport().width()
        for k, prop in enumerate(row.lanes):
            lane = self.lane_rect(row, k)
            p.fillRect(QRectF(HEADER_W, lane.top(), w - HEADER_W, lane.height()), QColor(0, 0, 0, 45))
            p.setPen(QPen(QColor(c.border), 1))
            p.drawLine(QPointF(HEADER_W, lane.top() + 0.5), QPointF(w, lane.top() + 0.5))
            for clip in row.track.clips:
                anim = edits.animated(clip, prop)
                x0, x1 = self.x_of(clip.start), self.x_of(clip.end)
                if anim is None or x1 < HEADER_W or x0 > w:
                    continue
                span = QRectF(x0, lane.top() + 3, max(2.0, x1 - x0 - 1), lane.height() - 6)
                tint = self._clip_colour(clip)
                tint.setAlpha(55 if clip.id in self.controller.selected else 30)
                p.setPen(Qt.NoPen)
                p.setBrush(tint)
                p.drawRoundedRect(span, 3, 3)
                keys = [key for key in anim.keyframes if key.frame < clip.duration]
                if not keys:
                    continue
                self._paint_value_curve(p, c, clip, anim, keys, span)
                for key in keys:
                    chosen = self.selected_key == (clip.id, prop, key.frame)
                    p.setPen(QPen(QColor("#FFFFFF") if chosen else QColor(20, 20, 24), 1.2 if chosen else 0.8))
                    p.setBrush(QColor(c.accent) if chosen else QColor("#FFD54A"))
                    _diamond(p, self.x_of(clip.start + key.frame), lane.center().y(), 6 if chosen else 5, key.easing)

    def _paint_value_curve(self, p: QPainter, c, clip, anim, keys, span: QRectF) -> None:
        """The property's value between its first and last keyframe, scaled to the lane (numbers),
        or a flat line joining the keyframes (positions)."""
        xa, xb = self.x_of(clip.start + keys[0].frame), self.x_of(clip.start + keys[-1].frame)
        mid = span.center().y()
        p.setPen(QPen(QColor(255, 213, 74, 150), 1.2))
        if isinstance(keys[0].value, tuple) or len(keys) < 2:
            p.drawLine(QPointF(xa, mid), QPointF(xb, mid))
            return
        low, high = min(k.value for k in keys), max(k.value for k in keys)
        top, height = span.top() + 2, span.height() - 4
        x_from, x_to = max(xa, HEADER_W), min(xb, self.viewport().width())
        points = []
        x = x_from
        while True:
            value = anim.at(self.frame_at(x) - clip.start)
            y = mid if high - low < 1e-9 else top + height * (1 - (value - low) / (high - low))
            points.append(QPointF(x, y))
            if x >= x_to:
                break
            x = min(x_to, x + 3)
        p.drawPolyline(QPolygonF(points))

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
            i0 = max(0, int(t0 * self.waveforms.per_second))
            i1 = min(len(peaks), max(i0 + 1, math.ceil(t1 * self.waveforms.per_second)))
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
        icon("mdi6.tray-arrow-down", c.muted).paint(p, icon_box)
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

    def _paint_track_drop(self, p: QPainter, c, w: int) -> None:
        """While a track header is dragged: a line where the track will go."""
        edge = self.track_drop_y()
        if edge is not None:
            p.setPen(QPen(QColor(c.accent), 3))
            p.drawLine(QPointF(0, edge), QPointF(w, edge))

    def _paint_headers(self, p: QPainter, c, h: int) -> None:
        p.save()
        p.setClipRect(QRectF(0, RULER_H, HEADER_W, h - RULER_H))
        p.fillRect(QRectF(0, RULER_H, HEADER_W, h), QColor(c.window))
        f = QFont(p.font())
        for i, row in enumerate(self._rows):
            r = self.row_rect(row)
            track = row.track
            p.fillRect(QRectF(0, r.top(), HEADER_W - 1, r.height()), QColor(c.panel))
            kind_col = QColor(ROLE_COLOURS["audio" if track.kind == "audio" else "text" if track.kind == "text" else "visual"])
            if track.kind == "overlay":
                kind_col = QColor(ROLE_COLOURS["image"])
            p.fillRect(QRectF(0, r.top(), 3, row.full_height), kind_col)
            animated = any(edits.animated(clip, prop).keyframes for clip in track.clips for prop in edits.animated_props(clip))
            chevron = "mdi6.chevron-down" if row.lanes else "mdi6.chevron-right"
            icon(chevron, c.accent if animated else c.muted).paint(p, self.disclosure_rect(i).toRect())
            icon(KIND_ICONS[track.kind], c.muted).paint(p, QRect(NAME_X - 18, int(r.top() + 7), 14, 14))
            f.setPointSizeF(9)
            f.setBold(True)
            p.setFont(f)
            p.setPen(QColor(c.text))
            name_rect = self.name_rect(i)
            p.drawText(name_rect, Qt.AlignLeft | Qt.AlignVCenter,
                       p.fontMetrics().elidedText(track.name or track.kind.capitalize(), Qt.ElideRight, int(name_rect.width())))
            for flag, rect in self._toggle_rects(i):
                on = getattr(track, flag)
                on_icon, off_icon, _tip = TRACK_TOGGLES[flag]
                colour = (c.warning if flag in ("solo", "locked") else c.danger) if on else c.muted
                if on:
                    bg = QColor(colour)
                    bg.setAlpha(40)
                    p.setPen(Qt.NoPen)
                    p.setBrush(bg)
                    p.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 4, 4)
                icon(on_icon if on else off_icon, colour).paint(p, rect.adjusted(3, 3, -3, -3).toRect())
            self._paint_lane_headers(p, c, row, track)
        p.restore()
        p.setPen(QPen(QColor(c.border), 1))
        p.drawLine(QPointF(HEADER_W - 0.5, RULER_H), QPointF(HEADER_W - 0.5, h))

    def _paint_lane_headers(self, p: QPainter, c, row: Row, track: Track) -> None:
        f = QFont(p.font())
        f.setPointSizeF(8)
        f.setBold(False)
        p.setFont(f)
        for k, prop in enumerate(row.lanes):
            lane = self.lane_rect(row, k)
            box = QRectF(3, lane.top(), HEADER_W - 4, lane.height())
            p.fillRect(box, QColor(c.window))
            p.setPen(QPen(QColor(c.border), 1))
            p.drawLine(QPointF(3, lane.top() + 0.5), QPointF(HEADER_W, lane.top() + 0.5))
            used = any(a is not None and a.keyframes for a in (edits.animated(clip, prop) for clip in track.clips))
            p.setPen(QPen(QColor(c.muted), 0.8))
            p.setBrush(QColor("#FFD54A") if used else Qt.NoBrush)
            _diamond(p, NAME_X - 11, lane.center().y(), 4, "linear")
            p.setPen(QColor(c.text if used else c.muted))
            p.drawText(QRectF(NAME_X, lane.top(), HEADER_W - NAME_X - 8, lane.height()), Qt.AlignLeft | Qt.AlignVCenter, PROP_NAMES[prop])

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


def _diamond(p: QPainter, x: float, y: float, r: float, easing: str) -> None:
    """A keyframe mark shaped by how it leaves: a diamond (linear), a circle (eased), a square (hold)."""
    if easing == "hold":
        p.drawRect(QRectF(x - r * 0.8, y - r * 0.8, r * 1.6, r * 1.6))
    elif easing == "linear":
        p.drawPolygon(QPolygonF([QPointF(x, y - r), QPointF(x + r, y), QPointF(x, y + r), QPointF(x - r, y)]))
    else:
        p.drawEllipse(QPointF(x, y), r * 0.85, r * 0.85)
