"""The detail pane: what the finding says (message, hint, source), and where: the copy with the
span highlighted, or the image, or the video frame, with the box drawn on it. Pictures are
read off the GUI thread; only the newest request is shown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

import av
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QLabel, QStackedWidget, QTextEdit, QVBoxLayout, QWidget

from studio.core.compliance.store import StoredFinding
from studio.core.errors import BadInput
from studio.core.queries import get_asset
from studio.core.timeline.store import load_composition
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.widgets.latest_only import LatestOnly
from studio.ui.workspaces.compliance.fixes import copy_line

URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Picture:
    image: QImage | None
    note: str  # what is shown ("Frame 120 (4.0 s)"), or why nothing can be


def read_picture(path: Path, kind: str, frame: int | None) -> Picture:
    """The image, or the video frame the finding is on (runs on a worker thread)."""
    if not path.is_file():
        return Picture(None, f"{path.name} is missing from the library.")
    if kind != "video":
        image = QImage(str(path))
        return Picture(image if not image.isNull() else None, "" if not image.isNull() else f"{path.name} cannot be read as an image.")
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            fps = float(stream.average_rate or 25)
            at = (frame or 0) / fps
            container.seek(int(max(0.0, at - 1) / stream.time_base), stream=stream)
            start = stream.start_time * stream.time_base if stream.start_time is not None else 0
            for vf in container.decode(stream):
                if vf.time is not None and vf.time - start >= at - 0.5 / fps:
                    # The compliance check reads frames turned upright; its boxes are on the turned picture.
                    image = vf.to_image().rotate(vf.rotation or 0, expand=True)
                    return Picture(QImage(image.convert("RGB").tobytes(), image.width, image.height, image.width * 3,
                                          QImage.Format_RGB888).copy(), f"Frame {frame or 0} ({at:.1f} s)")
    except (av.error.FFmpegError, IndexError) as exc:
        return Picture(None, f"The frame cannot be read: {exc}")
    return Picture(None, f"The video ends before frame {frame}.")


class BoxedImage(QWidget):
    """A picture scaled to fit, with the finding's box drawn on it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.image: QImage | None = None
        self.box: tuple[int, int, int, int] | None = None
        self.colour = QColor(theme().colors.danger)
        self.setMinimumHeight(160)

    def show_image(self, image: QImage | None, box, colour: str) -> None:
        self.image, self.box, self.colour = image, box, QColor(colour)
        self.update()

    def image_rect(self) -> QRectF:
        """Where the picture is drawn: scaled to fit, centred."""
        if self.image is None or self.image.isNull():
            return QRectF()
        scale = min(self.width() / self.image.width(), self.height() / self.image.height())
        w, h = self.image.width() * scale, self.image.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def box_rect(self) -> QRectF:
        """The box in widget coordinates."""
        if self.box is None or self.image is None:
            return QRectF()
        area, (x0, y0, x1, y1) = self.image_rect(), self.box
        k = area.width() / self.image.width()
        return QRectF(area.x() + x0 * k, area.y() + y0 * k, (x1 - x0) * k, (y1 - y0) * k)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.SmoothPixmapTransform)
        if self.image is not None and not self.image.isNull():
            painter.drawImage(self.image_rect(), self.image)
        if self.box is not None:
            painter.setPen(QPen(self.colour, 2))
            fill = QColor(self.colour)
            fill.setAlpha(50)
            painter.setBrush(fill)
            painter.drawRect(self.box_rect())


class FindingDetail(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.stored: StoredFinding | None = None
        self.heading = QLabel(objectName="PanelTitle", wordWrap=True)
        self.concerns = QLabel(objectName="Muted", wordWrap=True)
        self.text = QTextEdit(readOnly=True, accessibleName="Finding text")
        self.picture = BoxedImage()
        self.picture_note = QLabel(objectName="Muted", wordWrap=True)
        self.about = QLabel(wordWrap=True, textFormat=Qt.RichText, openExternalLinks=True, alignment=Qt.AlignTop | Qt.AlignLeft)
        self.about.setTextInteractionFlags(Qt.TextBrowserInteraction)
        picture_box = QWidget()
        column = QVBoxLayout(picture_box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.picture, 1)
        column.addWidget(self.picture_note)
        self.where = QStackedWidget()
        self.where.addWidget(self.text)
        self.where.addWidget(picture_box)
        self.nothing = EmptyState("mdi6.shield-check-outline", "Pick a finding",
                                  "Its text is shown with the problem highlighted, or its picture with the spot marked.")
        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.heading)
        layout.addWidget(self.concerns)
        layout.addWidget(self.where, 1)
        layout.addWidget(self.about)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.nothing)
        self.stack.addWidget(self.body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self._pictures = LatestOnly(self)
        self._pictures.finished.connect(self._on_picture)

    def show_finding(self, stored: StoredFinding | None, concerns: str = "") -> None:
        self.stored = stored
        if stored is None:
            self.stack.setCurrentWidget(self.nothing)
            return
        f, colours = stored.finding, theme().colors
        colour = colours.warning if f.severity == "warning" else colours.danger
        self.stack.setCurrentWidget(self.body)
        self.heading.setText(f"{f.severity.capitalize()} · {f.rule_id}" + (f" · {f.platform}" if f.platform else ""))
        self.heading.setStyleSheet(f"color: {colour};")
        self.concerns.setText(concerns)
        self.about.setText(self._about_html())
        kind = stored.target.partition(":")[0]
        if kind == "asset" and (f.box is not None or f.frame is not None or f.span is None):
            self._show_picture(int(stored.target.partition(":")[2]), colour)
        else:
            self._show_text(self._checked_text(), colour)

    def _about_html(self) -> str:
        f, muted = self.stored.finding, theme().colors.muted
        parts = [f"<p style='margin:0 0 6px 0'>{escape(f.message)}</p>",
                 f"<p style='margin:0 0 6px 0; color:{muted}'>{escape(f.hint)}</p>"]
        if f.source:
            link = URL.search(f.source)
            shown = escape(f.source)
            parts.append(f"<p style='margin:0'>Source: <a href='{escape(link.group())}'>{shown}</a></p>" if link else f"<p>Source: {shown}</p>")
        if self.stored.waiver:
            w = self.stored.waiver
            parts.append(f"<p style='margin:6px 0 0 0'><b>Waived</b> by {escape(w.name)} on {w.created_at:%Y-%m-%d}: {escape(w.reason)}</p>")
        return "".join(parts)

    def _checked_text(self) -> str:
        """The text the finding's span counts in: the copy line, the text clip, else what was quoted."""
        stored = self.stored
        kind, _, raw_id = stored.target.partition(":")
        if kind == "copy" and (line := copy_line(self.ctx.lib, stored.target)):
            return line.text
        if kind == "composition" and stored.clip:
            try:
                _, clip = load_composition(self.ctx.lib, int(raw_id)).find_clip(stored.clip)
            except BadInput:  # the composition was deleted since: show what was quoted
                clip = None
            if clip is not None and getattr(clip, "text", None):
                return clip.text
        return stored.finding.excerpt

    def _show_text(self, text: str, colour: str) -> None:
        self.where.setCurrentWidget(self.text)
        self.text.setPlainText(text)
        span = self.stored.finding.span
        selections = []
        if span and span[1] <= len(text):
            selection = QTextEdit.ExtraSelection()
            selection.cursor = QTextCursor(self.text.document())
            selection.cursor.setPosition(span[0])
            selection.cursor.setPosition(max(span[1], span[0] + 1), QTextCursor.KeepAnchor)
            fmt = QTextCharFormat()
            background = QColor(colour)
            background.setAlpha(90)
            fmt.setBackground(background)
            fmt.setUnderlineStyle(QTextCharFormat.SingleUnderline)
            fmt.setUnderlineColor(QColor(colour))
            selection.format = fmt
            selections.append(selection)
        self.text.setExtraSelections(selections)

    def highlighted_span(self) -> tuple[int, int] | None:
        """The span shown highlighted, as (start, end) in the text."""
        selections = self.text.extraSelections()
        return (selections[0].cursor.selectionStart(), selections[0].cursor.selectionEnd()) if selections else None

    def _show_picture(self, asset_id: int, colour: str) -> None:
        self.where.setCurrentWidget(self.picture.parentWidget())
        f = self.stored.finding
        self.picture.show_image(None, None, colour)
        asset = get_asset(self.ctx.lib, asset_id)
        if asset is None:
            self.picture_note.setText("The asset is no longer in the library.")
            return
        self.picture_note.setText("Reading the picture…")
        stored, path, kind = self.stored, self.ctx.lib.media_path(asset.sha256, asset.ext), asset.kind
        self._pictures.submit(lambda: (stored, read_picture(path, kind, f.frame), colour))

    def _on_picture(self, result) -> None:
        stored, picture, colour = result
        if stored is not self.stored:
            return  # another finding was picked meanwhile
        self.picture.show_image(picture.image, stored.finding.box, colour)
        note = picture.note
        if stored.finding.excerpt:
            note = f"{note} · “{stored.finding.excerpt}”" if note else f"“{stored.finding.excerpt}”"
        self.picture_note.setText(note)
