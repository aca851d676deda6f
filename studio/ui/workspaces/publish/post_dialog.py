"""One post: channel, kind, title, creative, placement, copy (with live counts) and the time in
the channel's own zone, next to a preview of how the platform shows it. Save, Submit for review
and Schedule are each one core op (one Edit ▸ Undo step); a refusal shows the core's message and
the dialog stays open."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import BadInput, ConflictError
from studio.core.ops import publishing as ops
from studio.core.ops.brand_rules import campaign_brand
from studio.core.publishing import calendar, publisher
from studio.core.publishing.timezones import zone
from studio.core.queries import AssetFilter, get_asset, list_assets
from studio.core.specs.catalog import load_catalog
from studio.core.specs.model import TextField
from studio.core.specs.text import char_count
from studio.ui.background_publisher import publisher_of
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.shell.theme import theme
from studio.ui.workspaces.publish.calendar_model import STATUS_NAMES, shown_status
from studio.ui.workspaces.publish.previews import PostPreview, as_text

LONG_FIELDS = {"primary_text", "intro_text", "ad_text", "post_text", "description", "long_headline"}


def zone_label(local: datetime, tz_name: str) -> str:
    """'Europe/London, UTC+01:00' for that wall clock (the offset of the day, daylight saving included)."""
    offset = local.replace(tzinfo=zone(tz_name)).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"{tz_name}, UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class CopyField(QWidget):
    """One copy field with its count against the catalog's limits."""

    edited = Signal()

    def __init__(self, field: TextField, text: str, parent=None):
        super().__init__(parent)
        self.field = field
        several = field.max_count > 1  # Google's 3 to 15 headlines: one a line
        self.editor = QPlainTextEdit(text) if field.name in LONG_FIELDS or several else QLineEdit(text)
        self.editor.setAccessibleName(field.label)
        if several:
            self.editor.setPlaceholderText(f"One a line, {field.min_count or 1} to {field.max_count}")
        if isinstance(self.editor, QPlainTextEdit):
            self.editor.setFixedHeight(76)
            self.editor.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
            self.editor.textChanged.connect(self._on_changed)
        else:
            self.editor.textChanged.connect(lambda _t: self._on_changed())
        self.count = QLabel(objectName="Muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.editor)
        layout.addWidget(self.count)
        self._show_count()

    def text(self) -> str:
        return self.editor.toPlainText() if isinstance(self.editor, QPlainTextEdit) else self.editor.text()

    def _on_changed(self) -> None:
        self._show_count()
        self.edited.emit()

    def _show_count(self) -> None:
        lines = [line for line in self.text().splitlines() if line.strip()] if self.field.max_count > 1 else [self.text()]
        n = max((char_count(line, self.field.wide_counts_double) for line in lines), default=0)
        parts = [f"{n}"]
        c = theme().colors
        color = c.muted
        if self.field.max_count > 1:
            parts[0] = f"{len(lines)} of {self.field.min_count or 1}–{self.field.max_count} · longest {n}"
            if not (self.field.min_count or 1) <= len(lines) <= self.field.max_count:
                color = c.warning
        if self.field.max_chars:
            parts[0] += f" / {self.field.max_chars}"
            if n > self.field.max_chars:
                color = c.danger
        if self.field.truncates_at:
            parts.append(f"cut at {self.field.truncates_at} in view")
            if n > self.field.truncates_at and color == c.muted:
                color = c.warning
        self.count.setText(" · ".join(parts))
        self.count.setStyleSheet(f"color:{color}")


# (platform, kind) -> what the publisher needs besides the copy, stored with it (studio.core.publishing)
PUBLISHING_DETAILS = {
    ("meta", "ad"): (("page_id", "Facebook page id", "the page the ad runs as, e.g. 104857600123"),
                     ("link", "Link", "https://… where the ad leads")),
    ("google", "ad"): (("ad_group", "Ad group id", "the ad group it goes in, e.g. 1234567890"),
                       ("final_url", "Final URL", "https://… where the ad leads")),
    ("google", "post"): (("ad_group", "Ad group id", "the ad group it goes in, e.g. 1234567890"),
                         ("final_url", "Final URL", "https://… where the ad leads")),
}


class PostDialog(QDialog):
    saved = Signal(object)  # the OpResult of the last op the dialog ran

    def __init__(self, ctx, post_id: int, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.post = calendar.get_post(ctx.lib, post_id)
        self.catalog = load_catalog(ctx.lib)
        self.channels = calendar.list_channels(ctx.lib, campaign_brand(ctx.lib, self.post.campaign_id))
        self.copy_fields: list[CopyField] = []
        self.details: dict[str, QLineEdit] = {}  # publishing details: the page an ad runs as, its link…
        self.typed = {k: as_text(v) for k, v in (self.post.copy or {}).items()}
        self.setWindowTitle(f"Post — {self.post.title}")
        self._build()
        self._fill()

    # ---- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.channel = QComboBox(accessibleName="Channel")
        for c in self.channels:
            self.channel.addItem(f"{PLATFORM_NAMES.get(c.platform, c.platform)} · {c.name}", c.id)
        self.kind = QComboBox(accessibleName="Kind")
        self.kind.addItem("Post", "post")
        self.kind.addItem("Ad", "ad")
        self.title_edit = QLineEdit(accessibleName="Title")
        self.creative = QComboBox(accessibleName="Creative")
        self.placement = QComboBox(accessibleName="Placement")
        self.scheduled = QCheckBox("On the calendar")
        self.when = QDateTimeEdit(calendarPopup=True, accessibleName="Time")
        self.when.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        self.zone = QLabel(objectName="Muted")
        when_row = QHBoxLayout()
        when_row.addWidget(self.scheduled)
        when_row.addWidget(self.when, 1)
        self.form = QFormLayout()
        self.form.addRow("Channel", self.channel)
        self.form.addRow("Kind", self.kind)
        self.form.addRow("Title", self.title_edit)
        self.form.addRow("Creative", self.creative)
        self.form.addRow("Placement", self.placement)
        self.form.addRow("Time", when_row)
        self.form.addRow("", self.zone)
        self.copy_box = QFormLayout()
        self.status = QLabel(wordWrap=True)
        self.preview = PostPreview()

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save", QDialogButtonBox.AcceptRole)
        self.submit_button = QPushButton(theme().icon("mdi6.account-clock-outline"), "Submit for review")
        self.schedule_button = QPushButton(theme().icon("mdi6.clock-outline"), "Schedule")
        self.retry_button = QPushButton(theme().icon("mdi6.send-clock-outline"), "Retry publishing",
                                        toolTip="The platform refused it: fix what its message says, then send it again")
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ActionRole)
        self.buttons.addButton(self.schedule_button, QDialogButtonBox.ActionRole)
        self.buttons.addButton(self.retry_button, QDialogButtonBox.ActionRole)
        self.buttons.addButton(QDialogButtonBox.Close)
        self.save_button.clicked.connect(lambda: self._run(None) and self.accept())
        self.submit_button.clicked.connect(lambda: self._run(ops.submit_post))
        self.schedule_button.clicked.connect(lambda: self._run(ops.schedule_post))
        self.retry_button.clicked.connect(self.retry)
        self.buttons.rejected.connect(self.reject)

        left = QVBoxLayout()
        left.addLayout(self.form)
        left.addLayout(self.copy_box)
        left.addStretch(1)
        left.addWidget(self.status)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addWidget(self.preview, 0, Qt.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.buttons)
        self.resize(900, 620)

        self.channel.currentIndexChanged.connect(self._on_channel_changed)
        self.placement.currentIndexChanged.connect(self._rebuild_copy)
        self.kind.currentIndexChanged.connect(lambda _i: self._rebuild_copy())
        self.creative.currentIndexChanged.connect(lambda _i: self._update_preview())
        self.scheduled.toggled.connect(self.when.setEnabled)
        self.when.dateTimeChanged.connect(lambda _d: self._show_zone())

    def _fill(self) -> None:
        post = self.post
        self.channel.setCurrentIndex(max(0, self.channel.findData(post.channel_id)))
        self.kind.setCurrentIndex(max(0, self.kind.findData(post.kind)))
        self.title_edit.setText(post.title)
        self.creative.addItem("None", None)
        for asset in list_assets(self.ctx.lib, AssetFilter(campaign_id=post.campaign_id)):
            self.creative.addItem(asset.name, asset.id)
        if post.asset_id is not None and self.creative.findData(post.asset_id) < 0:
            asset = get_asset(self.ctx.lib, post.asset_id)
            self.creative.addItem(asset.name if asset else f"Asset {post.asset_id}", post.asset_id)
        self.creative.setCurrentIndex(max(0, self.creative.findData(post.asset_id)))
        self.scheduled.setChecked(post.local_time is not None)
        self.when.setEnabled(post.local_time is not None)
        self.when.setDateTime(QDateTime(post.local_time) if post.local_time else QDateTime.currentDateTime().addDays(1))
        self._on_channel_changed()
        self._update_buttons()

    def _on_channel_changed(self) -> None:
        channel = self.current_channel()
        self.placement.blockSignals(True)
        self.placement.clear()
        for spec in self.catalog.for_platforms([channel.platform] if channel else []):
            self.placement.addItem(spec.name, spec.id)
        wanted = self.placement.findData(self.post.spec_id)
        self.placement.setCurrentIndex(max(wanted, 0))
        self.placement.blockSignals(False)
        self._rebuild_copy()
        self._show_zone()

    def _rebuild_copy(self) -> None:
        if self.copy_fields or self.details:  # what was typed survives a change of placement or kind
            self.typed |= {f.field.name: f.text() for f in self.copy_fields} | {k: e.text() for k, e in self.details.items()}
        kept = self.typed
        while self.copy_box.rowCount():
            self.copy_box.removeRow(0)
        self.copy_fields, self.details = [], {}
        spec = self.current_spec()
        for field in spec.text_fields if spec else []:
            widget = CopyField(field, kept.get(field.name, ""))
            widget.edited.connect(self._update_preview)
            self.copy_box.addRow(field.label, widget)
            self.copy_fields.append(widget)
        channel, names = self.current_channel(), {f.field.name for f in self.copy_fields}
        for key, label, hint in PUBLISHING_DETAILS.get((channel.platform if channel else None, self.kind.currentData()), ()):
            if key not in names:  # what the publisher needs besides the copy
                edit = self.details[key] = QLineEdit(kept.get(key, ""), placeholderText=hint, accessibleName=label)
                self.copy_box.addRow(label, edit)
        self._update_preview()

    def _show_zone(self) -> None:
        channel = self.current_channel()
        if channel is not None:
            self.zone.setText(f"In the channel's time zone: {zone_label(self.local_time_value() or datetime.now(), channel.timezone)}")

    def _update_buttons(self) -> None:
        status = shown_status(self.post)
        self.submit_button.setEnabled(status == "draft")
        self.schedule_button.setEnabled(status == "approved")
        self.retry_button.setVisible(status == "failed")
        self.status.setText(f"Status: {STATUS_NAMES.get(status, status)}" + (f" — {self.post.error}" if self.post.error else ""))

    def retry(self) -> None:
        """Give the refused post another go now (after fixing what the platform's message said: a
        key, the page, the copy — saved first with Save)."""
        publisher.retry_failed(self.ctx.lib, self.post.id)
        self.post = calendar.get_post(self.ctx.lib, self.post.id)
        self._update_buttons()
        self.status.setText("It goes out on the publisher's next run, which starts now.")
        publisher_of(self.ctx).publish_now()

    # ---- values ------------------------------------------------------------------------------
    def current_channel(self):
        return next((c for c in self.channels if c.id == self.channel.currentData()), None)

    def current_spec(self):
        spec_id = self.placement.currentData()
        return self.catalog.entries.get(spec_id) if spec_id else None

    def local_time_value(self) -> datetime | None:
        if not self.scheduled.isChecked():
            return None
        return self.when.dateTime().toPython().replace(second=0, microsecond=0)

    def copy_value(self) -> dict:
        return ({f.field.name: f.text() for f in self.copy_fields if f.text()}
                | {key: edit.text().strip() for key, edit in self.details.items() if edit.text().strip()})

    def _picture(self) -> QPixmap | None:
        asset_id = self.creative.currentData()
        asset = get_asset(self.ctx.lib, asset_id) if asset_id is not None else None
        if asset is None:
            return None
        path = self.ctx.lib.media_path(asset.sha256, asset.ext) if asset.kind == "image" else None
        if path is None or not Path(path).exists():
            path = self.ctx.lib.root / asset.thumbnail if asset.thumbnail else None
        return QPixmap(str(path)) if path else None

    def _update_preview(self) -> None:
        channel = self.current_channel()
        self.preview.show_post(channel.platform if channel else self.post.platform, channel.name if channel else self.post.channel_name,
                               self.current_spec(), self.copy_value(), self._picture())

    # ---- writing -----------------------------------------------------------------------------
    def _run(self, then) -> bool:
        """Save the fields (one op), then `then` (submit or schedule) when given; True when all went."""
        fields = {"channel_id": self.channel.currentData(), "kind": self.kind.currentData(), "title": self.title_edit.text().strip(),
                  "asset_id": self.creative.currentData(), "spec_id": self.placement.currentData(), "copy": self.copy_value(),
                  "local_time": self.local_time_value()}
        try:
            result = ops.update_post(self.ctx.lib, self.post.id, expected_version=self.post.version, **fields)
            if then is not None:
                result = then(self.ctx.lib, self.post.id)
        except (BadInput, ConflictError) as exc:  # a conflict: the main window also shows what they changed and asks
            lost = isinstance(exc, ConflictError)
            self.status.setText("Not saved: someone else changed this post since you opened it." if lost else str(exc))
            self.status.setStyleSheet(f"color:{theme().colors.danger}")
            return False
        self.post = calendar.get_post(self.ctx.lib, self.post.id)
        self._update_buttons()
        self.status.setStyleSheet("")
        if " — " in result.label:
            self.status.setText(result.label.split(" — ", 1)[1])
        self.saved.emit(result)
        return True
