"""Channels…: where a brand publishes. Each channel is one platform account with its own time zone
(wall-clock times on the calendar are in it), the least gap between two of its posts, the queue's
weekly slots and when its access token expires. Add, Save and Remove are each one core op, one
step of Edit ▸ Undo. Save names the version of the channel the form showed: if a colleague saved
it since, it is refused (ConflictError), the form keeps what was typed and the main window asks."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import available_timezones

from PySide6.QtCore import QDateTime, Qt, QTime, QTimeZone
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTimeEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt import QSearchableComboBox

from studio.core.errors import BadInput, ConflictError, StudioError
from studio.core.ops import publishing as ops
from studio.core.ops.tx import edited_from, row_versions
from studio.core.publishing.calendar import get_channel, list_channels
from studio.core.publishing.timezones import now_utc
from studio.ui.shell.theme import theme

PLATFORMS = {"meta": "Meta", "google": "Google Ads", "tiktok": "TikTok", "linkedin": "LinkedIn", "x": "X"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_ZONE = "Europe/London"


class SlotsEditor(QWidget):
    """The queue's weekly slots: one row per slot, a weekday and a wall-clock time."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.table = QTableWidget(0, 2, accessibleName="Queue slots")
        self.table.setHorizontalHeaderLabels(["Day", "Time"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setMinimumHeight(120)
        add = QToolButton(icon=theme().icon("mdi6.plus"), toolTip="Add a slot", accessibleName="Add slot")
        add.clicked.connect(lambda: self.add_slot(0, time(9, 0)))
        self.remove_button = QToolButton(icon=theme().icon("mdi6.minus"), toolTip="Remove the selected slot",
                                         accessibleName="Remove slot")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QVBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def add_slot(self, weekday: int, at: time) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        day = QComboBox(accessibleName="Slot day")
        day.addItems(WEEKDAYS)
        day.setCurrentIndex(weekday)
        self.table.setCellWidget(row, 0, day)
        self.table.setCellWidget(row, 1, QTimeEdit(QTime(at.hour, at.minute), displayFormat="HH:mm", accessibleName="Slot time"))

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()}, reverse=True)
        for row in rows or ([self.table.rowCount() - 1] if self.table.rowCount() else []):
            self.table.removeRow(row)

    def set_slots(self, slots: list[dict]) -> None:
        self.table.setRowCount(0)
        for slot in slots:
            hour, minute = (int(part) for part in slot["time"].split(":"))
            self.add_slot(int(slot["weekday"]), time(hour, minute))

    def slots(self) -> list[dict]:
        return [{"weekday": self.table.cellWidget(row, 0).currentIndex(),
                 "time": self.table.cellWidget(row, 1).time().toString("HH:mm")} for row in range(self.table.rowCount())]


class ChannelsDialog(QDialog):
    def __init__(self, ctx, brand_id: int, parent=None):
        super().__init__(parent)
        self.ctx, self.brand_id = ctx, brand_id
        self.setWindowTitle("Channels")
        self.setMinimumSize(760, 480)
        self.channel_id: int | None = None  # the channel in the form; None: a new one
        self.seen: dict = {}  # the version of the channel the form shows

        self.list = QListWidget(accessibleName="Channels")
        self.list.currentItemChanged.connect(lambda item, _prev: self._show(item.data(Qt.UserRole) if item else None))
        self.empty = QLabel("No channels yet. Add the brand's page, ad account or customer to publish to it.",
                            wordWrap=True, objectName="EmptyText")
        new = QPushButton(theme().icon("mdi6.plus"), "New channel")
        new.clicked.connect(self.start_new)
        self.remove_button = QPushButton(theme().icon("mdi6.delete-outline"), "Remove")
        self.remove_button.clicked.connect(self.remove_current)

        self.platform = QComboBox(accessibleName="Platform")
        for key, name in PLATFORMS.items():
            self.platform.addItem(name, key)
        self.name = QLineEdit(accessibleName="Channel name", placeholderText="Kestrel Coffee (Facebook page)")
        self.account = QLineEdit(accessibleName="Account", placeholderText="Page id, act_… id or customer id")
        self.timezone = QSearchableComboBox()
        self.timezone.setAccessibleName("Time zone")
        self.timezone.addItems(sorted(available_timezones()))
        self.min_gap = QSpinBox(accessibleName="Least gap", minimum=0, maximum=7 * 24 * 60, singleStep=15, suffix=" min")
        self.slots = SlotsEditor()
        self.token_known = QCheckBox("Expires", accessibleName="Token expiry known")
        self.token_expiry = QDateTimeEdit(accessibleName="Token expires", displayFormat="yyyy-MM-dd HH:mm 'UTC'", calendarPopup=True)
        self.token_expiry.setTimeZone(QTimeZone.utc())
        self.token_known.toggled.connect(self.token_expiry.setEnabled)
        token_row = QHBoxLayout()
        token_row.addWidget(self.token_known)
        token_row.addWidget(self.token_expiry, 1)

        self.save_button = QPushButton(theme().icon("mdi6.content-save-outline"), "Add channel")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(f"color: {theme().colors.danger}")
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.rejected.connect(self.reject)
        self._build(new, token_row, close)

        ctx.bus.changed.connect(self._on_bus_changed)
        self.refresh()
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.start_new()

    def _build(self, new: QPushButton, token_row: QHBoxLayout, close: QDialogButtonBox) -> None:
        left = QVBoxLayout()
        left.addWidget(QLabel("CHANNELS", objectName="PanelTitle"))
        left.addWidget(self.list, 1)
        left.addWidget(self.empty)
        row = QHBoxLayout()
        row.addWidget(new)
        row.addWidget(self.remove_button)
        left.addLayout(row)
        form = QFormLayout()
        form.addRow("Platform", self.platform)
        form.addRow("Name", self.name)
        form.addRow("Account", self.account)
        form.addRow("Time zone", self.timezone)
        form.addRow("Least gap between posts", self.min_gap)
        form.addRow("Queue slots", self.slots)
        form.addRow("Access token", token_row)
        right = QVBoxLayout()
        right.addLayout(form, 1)
        right.addWidget(self.error)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        right.addLayout(save_row)
        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        columns.addSpacing(12)
        columns.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(close)

    def refresh(self) -> None:
        current = self.channel_id
        self.list.blockSignals(True)
        self.list.clear()
        self.channels = {c.id: c for c in list_channels(self.ctx.lib, self.brand_id)}
        for channel in self.channels.values():
            item = QListWidgetItem(f"{channel.name}\n{PLATFORMS.get(channel.platform, channel.platform)} · {channel.timezone}")
            item.setData(Qt.UserRole, channel.id)
            self.list.addItem(item)
            if channel.id == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.empty.setVisible(not self.channels)
        if current is not None and current not in self.channels:  # removed (or its adding undone)
            self.start_new()
        self.remove_button.setEnabled(self.channel_id is not None)

    def _on_bus_changed(self, result) -> None:
        if "channels" in result.changes:
            self.refresh()
            if self.channel_id in self.channels:
                self._show(self.channel_id)  # an undo may have changed the fields

    def start_new(self) -> None:
        self.list.clearSelection()
        self.list.setCurrentItem(None)
        self._show(None)
        self.name.setFocus()

    def _show(self, channel_id: int | None) -> None:
        """Load the channel into the form (None: an empty form for a new one), its version first."""
        self.seen = row_versions(self.ctx.lib, ("channels", channel_id)) if channel_id is not None else {}
        try:
            channel = get_channel(self.ctx.lib, channel_id) if channel_id is not None else None
        except BadInput:  # removed just now: the change broadcast refreshes the list
            channel_id, channel = None, None
        self.channel_id = channel_id
        self.error.clear()
        self.platform.setCurrentIndex(max(0, self.platform.findData(channel.platform if channel else "meta")))
        self.platform.setEnabled(channel is None)  # another platform is another channel
        self.name.setText(channel.name if channel else "")
        self.account.setText(channel.account if channel else "")
        self.set_timezone(channel.timezone if channel else DEFAULT_ZONE)
        self.min_gap.setValue(channel.min_gap_minutes if channel else 120)
        self.slots.set_slots(channel.slots if channel else [])
        expires = channel.token_expires_at if channel else None
        self.token_known.setChecked(expires is not None)
        self.token_expiry.setEnabled(expires is not None)
        shown = expires or now_utc().replace(second=0)
        self.token_expiry.setDateTime(QDateTime(shown.date(), QTime(shown.hour, shown.minute), QTimeZone.utc()))
        self.save_button.setText("Save" if channel else "Add channel")
        self.remove_button.setEnabled(channel is not None)

    def set_timezone(self, zone: str) -> None:
        self.timezone.setCurrentIndex(self.timezone.findText(zone))

    def _fields(self) -> dict:
        expires = None
        if self.token_known.isChecked():
            utc = self.token_expiry.dateTime().toUTC()
            expires = datetime(utc.date().year(), utc.date().month(), utc.date().day(), utc.time().hour(), utc.time().minute())
        return {"platform": self.platform.currentData(), "name": self.name.text().strip(), "account": self.account.text().strip(),
                "timezone": self.timezone.currentText(), "min_gap_minutes": self.min_gap.value(), "slots": self.slots.slots(),
                "token_expires_at": expires}

    def save(self) -> int | None:
        """Add the channel in the form, or save its changes; a refusal is shown and nothing changes."""
        fields = self._fields()
        try:
            if self.channel_id is None:
                platform, name, account, zone = (fields.pop(k) for k in ("platform", "name", "account", "timezone"))
                self.channel_id = ops.add_channel(self.ctx.lib, self.brand_id, platform, name, account, zone, **fields).value
            else:
                del fields["platform"]
                with edited_from(self.seen):
                    ops.update_channel(self.ctx.lib, self.channel_id, **fields)
        except ConflictError:  # the main window asks whose values to keep; the form keeps what was typed
            self.error.setText("Not saved: someone else changed this channel since you opened it; choose whose values to keep.")
            return None
        except StudioError as exc:
            self.error.setText(str(exc))
            return None
        self.refresh()
        self._show(self.channel_id)
        return self.channel_id

    def remove_current(self) -> None:
        if self.channel_id is None:
            return
        name = self.channels[self.channel_id].name
        try:
            ops.remove_channel(self.ctx.lib, self.channel_id)
        except StudioError as exc:
            self.error.setText(str(exc))
            return
        self.ctx.notify(f"Channel {name} removed. Edit ▸ Undo brings it back.")
        self.refresh()
