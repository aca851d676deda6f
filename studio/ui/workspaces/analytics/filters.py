"""The filters bar: the period (a preset ending on the latest day with data, or custom days), the
comparison with the period just before, the platform, and the currency when there are several
(amounts in different currencies are never added up). Remembered across restarts."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.workspaces.analytics.data import PRESETS, Filters, preset_period

KEY = "analytics/filters/"


def _to_date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class FiltersBar(QWidget):
    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.last_day: date | None = None
        settings = QSettings()
        self.preset = QComboBox(accessibleName="Period")
        for key, text in PRESETS:
            self.preset.addItem(text, key)
        self.preset.setCurrentIndex(max(0, self.preset.findData(settings.value(KEY + "preset", "30"))))
        self.start = QDateEdit(calendarPopup=True, displayFormat="d MMM yyyy", accessibleName="From")
        self.end = QDateEdit(calendarPopup=True, displayFormat="d MMM yyyy", accessibleName="To")
        for edit, name in ((self.start, "start"), (self.end, "end")):
            remembered = settings.value(KEY + name)
            if remembered:
                edit.setDate(QDate.fromString(str(remembered), "yyyy-MM-dd"))
        self.compare = QCheckBox("Compare with previous period", accessibleName="Compare with previous period")
        self.compare.setChecked(str(settings.value(KEY + "compare", "true")).lower() == "true")
        self.platform = QComboBox(accessibleName="Platform filter")
        self.currency = QComboBox(accessibleName="Currency")
        self.currency_label = QLabel("Currency")
        self._wanted = {"platform": settings.value(KEY + "platform") or None, "currency": settings.value(KEY + "currency") or None}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        for widget in (self.preset, self.start, QLabel("–"), self.end, self.compare, self.platform, self.currency_label, self.currency):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.preset.currentIndexChanged.connect(self._on_preset_changed)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(self._on_dates_edited)
        self.compare.toggled.connect(self._on_changed)
        self.platform.currentIndexChanged.connect(self._on_changed)
        self.currency.currentIndexChanged.connect(self._on_changed)

    def set_choices(self, platforms: list[str], currencies: list[str], last_day: date) -> None:
        """The library's platforms and currencies (biggest spend first) and its latest day; keeps what was chosen."""
        self.last_day = last_day
        for combo, items, everything, key in ((self.platform, platforms, "All platforms", "platform"),
                                              (self.currency, currencies, None, "currency")):
            chosen = combo.currentData() if combo.count() else self._wanted[key]
            combo.blockSignals(True)
            combo.clear()
            if everything:
                combo.addItem(everything, None)
            for value in items:
                combo.addItem(PLATFORM_NAMES.get(value, value) if key == "platform" else value, value)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)
        several = len(currencies) > 1
        self.currency.setVisible(several)
        self.currency_label.setVisible(several)
        self._apply_preset()

    def filters(self) -> Filters:
        return Filters(_to_date(self.start.date()), _to_date(self.end.date()), self.platform.currentData(),
                       self.currency.currentData(), self.compare.isChecked())

    def _apply_preset(self) -> None:
        preset = self.preset.currentData()
        custom = preset == "custom"
        for edit in (self.start, self.end):
            edit.setEnabled(custom)
        if not custom and self.last_day is not None:
            start, end = preset_period(preset, self.last_day)
            for edit, day in ((self.start, start), (self.end, end)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        self.preset.setToolTip(f"Ends on the latest day with data, {self.last_day:%d %b %Y}" if self.last_day else "")

    def _on_preset_changed(self) -> None:
        self._apply_preset()
        self._on_changed()

    def _on_dates_edited(self) -> None:
        if self.start.date() > self.end.date():  # keep the period the right way round
            other = self.end if self.sender() is self.start else self.start
            other.blockSignals(True)
            other.setDate(self.sender().date())
            other.blockSignals(False)
        self._on_changed()

    def _on_changed(self) -> None:
        settings = QSettings()
        f = self.filters()
        for key, value in (("preset", self.preset.currentData()), ("start", f.start.isoformat()), ("end", f.end.isoformat()),
                           ("compare", "true" if f.compare else "false"), ("platform", f.platform or ""),
                           ("currency", f.currency or "")):
            settings.setValue(KEY + key, value)
        self.changed.emit()
