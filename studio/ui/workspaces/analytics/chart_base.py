"""What every Analytics chart shares: a titled panel around a pyqtgraph plot in the studio's
colours, series colours, and Export to PNG (pyqtgraph's ImageExporter) or SVG (vectors through
QSvgGenerator) from a button menu."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QRectF, QSettings, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import BadInput
from studio.ui.shell.theme import theme

PALETTE = ("#6E6AF6", "#3DD68C", "#F5B544", "#F0616D", "#4CC3F0", "#C77DF3", "#F28A4B", "#9BD45A", "#E86AB5", "#5AD1C1")


def series_color(i: int) -> QColor:
    """Ten distinct colours, then evenly spread hues for the rest."""
    return QColor(PALETTE[i]) if i < len(PALETTE) else pg.intColor(i, hues=17, values=2, minValue=170)


def add_legend(item: pg.PlotItem) -> pg.LegendItem:
    """A legend on a translucent panel, so lines and areas under it stay readable."""
    c = theme().colors
    panel = QColor(c.panel)
    panel.setAlpha(215)
    return item.addLegend(offset=(10, 10), labelTextColor=c.text, brush=pg.mkBrush(panel), pen=pg.mkPen(c.border))


class ChartPanel(QWidget):
    """A titled chart with controls on its header row and an Export menu; subclasses draw into self.plot."""

    def __init__(self, key: str, title: str, parent=None):
        super().__init__(parent, objectName="Card")
        self.key = key  # names the chart in the remembered layout
        self.title = title
        self.setAttribute(Qt.WA_StyledBackground, True)
        c = theme().colors
        self.header = QHBoxLayout()
        self.header.setContentsMargins(10, 6, 6, 0)
        self.header.addWidget(QLabel(title.upper(), objectName="PanelTitle"))
        self.header.addStretch(1)
        self.export_button = QToolButton(icon=theme().icon("mdi6.export-variant"), toolTip=f"Export {title} as a picture",
                                         popupMode=QToolButton.InstantPopup, autoRaise=True)
        self.export_button.setAccessibleName(f"Export {title}")
        menu = QMenu(self.export_button)
        menu.addAction("Export PNG…", lambda: self.export_with_dialog("png"))
        menu.addAction("Export SVG…", lambda: self.export_with_dialog("svg"))
        self.export_button.setMenu(menu)
        self.plot = pg.PlotWidget(background=c.base)
        self.plot.setMinimumHeight(150)
        item = self.plot.getPlotItem()
        item.hideButtons()
        item.showGrid(x=True, y=True, alpha=0.12)
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(c.border))
            axis.setTextPen(pg.mkPen(c.muted))
        self.note = QLabel(objectName="Muted", wordWrap=True)  # a read-out or why there is nothing to draw
        self.note.setContentsMargins(10, 0, 10, 6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(2)
        layout.addLayout(self.header)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)

    def add_control(self, widget: QWidget) -> None:
        self.header.addWidget(widget)

    def finish_header(self) -> None:
        """The export button goes last, after the subclass's controls."""
        self.header.addWidget(self.export_button)

    def export(self, path: str | Path) -> Path:
        """Write the chart to a .png or .svg file (by its suffix)."""
        path = Path(path)
        kind = path.suffix.lower()
        if kind not in (".png", ".svg"):
            raise BadInput(f"Charts export to .png or .svg, not {kind or 'a file without a suffix'}: change the file name.")
        item = self.plot.getPlotItem()
        if kind == ".svg":
            self._export_svg(path)
        else:
            exporter = ImageExporter(item)
            exporter.parameters()["width"] = max(int(self.plot.width() * 2), 800)  # sharp on HiDPI screens and slides
            exporter.export(str(path))
        return path

    def _export_svg(self, path: Path) -> None:
        """The plot's scene drawn into an SVG as vectors. (pyqtgraph's SVGExporter trips over the "Z"
        that Qt 6.10 and later write at the end of closed paths: pyqtgraph issue #3485.)"""
        source = self.plot.getPlotItem().sceneBoundingRect()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setTitle(self.title)
        generator.setResolution(self.plot.logicalDpiX())  # axes replay QPictures, which scale by the device's DPI
        generator.setSize(source.size().toSize())
        generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
        painter = QPainter(generator)
        try:
            painter.fillRect(QRectF(0, 0, source.width(), source.height()), self.plot.backgroundBrush())
            self.plot.scene().render(painter, QRectF(0, 0, source.width(), source.height()), source)
        finally:
            painter.end()

    def export_with_dialog(self, kind: str) -> None:
        folder = QSettings().value("analytics/export_folder", str(Path.home()))
        name = str(Path(folder) / f"{self.key}.{kind}")
        path, _ = QFileDialog.getSaveFileName(self, f"Export {self.title}", name, f"{kind.upper()} image (*.{kind})")
        if path:
            QSettings().setValue("analytics/export_folder", str(Path(path).parent))
            try:
                self.export(path if path.lower().endswith(f".{kind}") else f"{path}.{kind}")
            except (OSError, BadInput) as exc:
                self.say(f"The chart was not exported: {getattr(exc, 'strerror', None) or exc}. Choose another folder or name.")

    def say(self, text: str) -> None:
        self.note.setText(text)


def option_combo(name: str, items) -> QComboBox:
    """A picker of (text, data) pairs, for a chart's options or a filter."""
    combo = QComboBox(accessibleName=name)
    for text, data in items:
        combo.addItem(text, data)
    return combo


def daily_with_options(panel: ChartPanel, combos, changed) -> pg.PlotItem:
    """The option pickers on the header (each change emits `changed`), days along the bottom that
    pan and zoom alone, and a legend; returns the plot item."""
    for combo in combos:
        combo.currentIndexChanged.connect(lambda _i: changed.emit())
        panel.add_control(combo)
    panel.finish_header()
    date_axis(panel)
    item = panel.plot.getPlotItem()
    item.setMouseEnabled(x=True, y=False)
    add_legend(item)
    return item


def date_axis(panel: ChartPanel) -> None:
    """Days along the bottom (x in seconds since the epoch, UTC)."""
    panel.plot.setAxisItems({"bottom": pg.DateAxisItem(utcOffset=0)})
    panel.plot.getPlotItem().getAxis("bottom").setTextPen(pg.mkPen(theme().colors.muted))
