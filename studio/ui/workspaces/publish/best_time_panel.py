"""Best time: when the channel's audience answers, from the library's own analytics. A weekday ×
hour heat map (hours in the channel's time zone) of the picked metric, with a colour bar, and
the suggested slots as chips; clicking one hands the slot to whoever schedules (slot_chosen)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.publishing import best_time
from studio.core.publishing.calendar import get_channel
from studio.ui.shell.theme import theme
from studio.ui.widgets.flow_layout import FlowLayout
from studio.ui.widgets.latest_only import LatestOnly

from .channels_dialog import WEEKDAYS

SLOTS_SHOWN = 5
METRIC_NAMES = {"ctr": "CTR", "conversion_rate": "Conversion rate", "cpa": "Cost per action", "cpc": "Cost per click",
                "cpm": "Cost per 1,000 impressions", "roas": "Return on ad spend"}
REFRESH_ON = {"channels", "campaign_hours", "campaign_days"}  # tables whose changes can move the map


def slot_text(slot) -> str:
    return f"{WEEKDAYS[slot.weekday][:3]} {slot.hour:02d}:00"


def read_best_times(lib, channel, metric: str):
    """(heat map, suggested slots) for the channel, in its zone (runs off the GUI thread)."""
    account, _which = best_time.channel_account(lib, channel)  # the map's note names the reports read
    heat = best_time.heat_map(lib, channel.platform, account=account, metric=metric, timezone=channel.timezone)
    return heat, best_time.suggested_slots(lib, channel.id, n=SLOTS_SHOWN, metric=metric)


class BestTimePanel(QWidget):
    slot_chosen = Signal(object)  # a best_time.Slot (weekday, hour, score, why) the user clicked
    drawn = Signal()  # the map and the chips show the newest data

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.channel = None
        self.heat = None
        self.slots: list = []
        c = theme().colors
        self.metric_picker = QComboBox(accessibleName="Metric")
        for key in best_time.METRICS:
            self.metric_picker.addItem(METRIC_NAMES.get(key, key), key)
        self.metric_picker.currentIndexChanged.connect(lambda _i: self.refresh())
        self.plot = pg.PlotWidget(background=c.base)
        self.plot.setMinimumHeight(200)
        self.plot.setMouseEnabled(False, False)
        item = self.plot.getPlotItem()
        item.hideButtons()
        item.setMenuEnabled(False)
        item.invertY(True)  # Monday on top, as on a calendar
        self.image = pg.ImageItem(axisOrder="row-major")  # values[weekday][hour]: rows are days
        item.addItem(self.image)
        self.picks = pg.ScatterPlotItem(symbol="o", size=9, pen=pg.mkPen(c.text, width=1.5), brush=None)
        item.addItem(self.picks)  # the suggested slots, ringed on the map
        self._style_axes(item)
        self.bar = pg.ColorBarItem(values=(0, 1), colorMap=pg.colormap.get("viridis"), interactive=False, width=12)
        self.bar.setImageItem(self.image, insert_in=item)
        self.bar.axis.setTextPen(pg.mkPen(c.muted))
        self.note = QLabel(wordWrap=True, objectName="Muted")
        self.chips = QWidget()
        self.chips.setStyleSheet(f"QToolButton#slotChip {{ border: 1px solid {c.border}; border-radius: 11px; padding: 3px 10px;"
                                 f" background: {c.raised}; }} QToolButton#slotChip:hover {{ border-color: {c.accent}; }}")
        self._chips = FlowLayout(self.chips, spacing=6)

        header = QHBoxLayout()
        header.addWidget(QLabel("BEST TIME", objectName="PanelTitle"))
        header.addStretch(1)
        header.addWidget(self.metric_picker)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)
        layout.addWidget(QLabel("Suggested slots", objectName="Muted"))
        layout.addWidget(self.chips)

        self._reader = LatestOnly(self)
        self._reader.finished.connect(self._show)
        ctx.bus.changed.connect(lambda result: self.refresh() if REFRESH_ON & set(result.changes) else None)
        self.set_channel(None)

    def _style_axes(self, item: pg.PlotItem) -> None:
        c = theme().colors
        left, bottom = item.getAxis("left"), item.getAxis("bottom")
        left.setTicks([[(i + 0.5, day[:3]) for i, day in enumerate(WEEKDAYS)]])
        bottom.setTicks([[(h + 0.5, f"{h:02d}") for h in range(0, 24, 3)], [(h + 0.5, "") for h in range(24)]])
        item.setLabel("bottom", "Hour of day (the channel's time zone)", color=c.muted)
        item.setLabel("left", "Weekday", color=c.muted)
        for axis in (left, bottom):
            axis.setPen(pg.mkPen(c.border))
            axis.setTextPen(pg.mkPen(c.muted))
        item.setRange(xRange=(0, 24), yRange=(0, 7), padding=0)

    def set_channel(self, channel_id: int | None) -> None:
        self.channel = get_channel(self.ctx.lib, channel_id) if channel_id is not None else None
        self.refresh()

    def refresh(self) -> None:
        if self.channel is None:
            return self._show(None)
        lib, channel, metric = self.ctx.lib, self.channel, self.metric_picker.currentData()
        self.note.setText("Reading the analytics history…")
        self._reader.submit(lambda: read_best_times(lib, channel, metric))

    def _show(self, answer) -> None:
        self.heat, self.slots = answer if answer is not None else (None, [])
        if self.heat is None:
            self.image.clear()
            self.note.setText("Pick a channel to see when its audience answers best.")
        else:
            values = np.asarray(self.heat.values, dtype=float)
            finite = values[np.isfinite(values)]
            low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            colours = pg.colormap.get("viridis")
            if not self.heat.higher_is_better:  # costs: the cheapest hours are the bright ones
                colours.reverse()
            self.bar.setColorMap(colours)
            self.image.setImage(values, autoLevels=False)
            self.image.setRect(0, 0, 24, 7)
            self.bar.setLevels((low, high if high > low else low + 1e-9))
            self.note.setText(self.heat.note)
        self.picks.setData([s.hour + 0.5 for s in self.slots], [s.weekday + 0.5 for s in self.slots])
        self._show_chips()
        self.drawn.emit()

    def _show_chips(self) -> None:
        while self._chips.count():
            self._chips.takeAt(0).widget().deleteLater()
        for slot in self.slots:
            chip = QToolButton(text=slot_text(slot), toolTip=slot.why, objectName="slotChip",
                               accessibleName=f"Use slot {slot_text(slot)}")
            chip.clicked.connect(lambda _checked=False, slot=slot: self.slot_chosen.emit(slot))
            self._chips.addWidget(chip)
        if not self.slots and self.channel is not None:
            self._chips.addWidget(QLabel("No suggestions yet: import reports with a time-of-day breakdown.", objectName="Muted"))
