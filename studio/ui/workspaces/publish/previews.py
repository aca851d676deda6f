"""How a post looks on its platform, with the copy cut where the platform cuts it in view.

The limits come from the spec catalog's text fields: `truncates_at` where the platform folds the
text ("… See more" on Meta's primary text, "…see more" on LinkedIn's intro), else `max_chars`
(a hard limit, shown cut with "…" so the user sees what would be lost)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from studio.core.specs.model import Spec, TextField
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.workspaces.publish.calendar_model import PLATFORM_COLORS

BODY_FIELDS = {"primary_text", "intro_text", "ad_text", "post_text"}  # the text above (or on) the picture
SEE_MORE = {"meta": "See more", "linkedin": "see more"}
PREVIEW_W = 340


def as_text(value) -> str:
    """Copy is {field: text}; a field that takes several (Google headlines) may hold a list."""
    return " | ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")


def cut(text: str, field: TextField) -> tuple[str, bool]:
    """(what shows, whether the platform cuts it)."""
    limit = field.truncates_at or field.max_chars
    if limit is None or len(text) <= limit:
        return text, False
    return text[:limit].rstrip(), True


class PostPreview(QFrame):
    """A card that mimics the platform's feed: who posts, the body text, the picture, the headline."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("PostPreview")
        self.setFixedWidth(PREVIEW_W)
        self.setStyleSheet("#PostPreview { background: #FFFFFF; border: 1px solid #D5D7DC; border-radius: 8px; }"
                           "#PostPreview QLabel { color: #1D1E22; background: transparent; }")
        self.cuts: dict[str, bool] = {}  # field -> cut in view
        self.header = QLabel(textFormat=Qt.RichText)
        self.body = QLabel(textFormat=Qt.RichText, wordWrap=True, accessibleName="Preview text")
        self.picture = QLabel(alignment=Qt.AlignCenter)
        self.picture.setFixedHeight(PREVIEW_W - 24)
        self.footer = QLabel(textFormat=Qt.RichText, wordWrap=True, accessibleName="Preview headline")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        for w in (self.header, self.body, self.picture, self.footer):
            layout.addWidget(w)
        layout.addStretch(1)

    def show_post(self, platform: str, channel_name: str, spec: Spec | None, copy: dict, picture: QPixmap | None) -> None:
        color = PLATFORM_COLORS.get(platform, "#888888")
        self.header.setText(f"<span style='color:{color};font-size:16px'>●</span> <b>{escape(channel_name)}</b>"
                            f"<br><span style='color:#6A6D76'>{'Sponsored' if spec and spec.media != 'text' else 'Ad'} · "
                            f"{PLATFORM_NAMES.get(platform, platform)}</span>")
        body, footer = [], []
        self.cuts = {}
        for field in spec.text_fields if spec else []:
            text = as_text(copy.get(field.name))
            if not text:
                continue
            shown, was_cut = cut(text, field)
            self.cuts[field.name] = was_cut
            html = escape(shown)
            if was_cut:
                more = SEE_MORE.get(platform) if field.truncates_at and field.name in BODY_FIELDS else None
                html += f"… <span style='color:#6A6D76'>{more}</span>" if more else "…"
            if field.name in BODY_FIELDS:
                body.append(html)
            elif "headline" in field.name or field.name == "brand_name":
                footer.append(f"<b>{html}</b>")
            else:
                footer.append(f"<span style='color:#6A6D76'>{html}</span>")
        if spec is None:
            body.append("<i>Pick a placement to see how the post looks there.</i>")
        self.body.setText("<br>".join(body))
        self.body.setVisible(bool(body))
        self.footer.setText("<br>".join(footer))
        self.footer.setVisible(bool(footer))
        text_only = spec is not None and spec.media == "text"
        self.picture.setVisible(not text_only)
        if picture is not None and not picture.isNull():
            self.picture.setStyleSheet("")
            self.picture.setPixmap(picture.scaled(PREVIEW_W - 24, PREVIEW_W - 24, Qt.KeepAspectRatio, Qt.SmoothTransformation))
        else:
            self.picture.setPixmap(QPixmap())
            self.picture.setText("No creative yet")
            self.picture.setStyleSheet("background:#ECEDF0;color:#6A6D76")
        self.adjustSize()  # the wrapped text's new height
