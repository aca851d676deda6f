"""The bar under the canvas while a placement in a video is open: scrub through the clip (the
slider, or , and . a frame at a time), see how the placement is tracked on the frame shown, and
retrack from it after moving the product there. When the scene is too plain to track, it offers
a fixed placement instead. It only reports what the user asked for; the view does it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QWidget,
)

from studio.ui.shell.theme import theme

STATE_TEXT = {"tracked": "tracked", "lost": "tracking lost: the product is hidden",
              "other_shot": "another shot: the product is not in it", "untracked": "not tracked yet"}


class TrackBar(QWidget):
    frame_changed = Signal(int)
    retrack_requested = Signal()  # track again from the frame shown
    fixed_requested = Signal()  # hold the placement still instead of tracking it

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("KataTrackBar")
        self.slider = QSlider(Qt.Horizontal, toolTip="Scrub through the clip (, and . step a frame)")
        self.slider.valueChanged.connect(self.frame_changed)
        self.slider.setMinimumWidth(160)
        self.where = QLabel(objectName="Muted", wordWrap=True)  # wraps rather than widening the workspace
        self.where.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        self.retrack = QPushButton(theme().icon("mdi6.crosshairs-gps"), "Retrack from here",
                                   toolTip="Track the placement through the clip again, from the frame shown "
                                           "(move the product on it first to correct it); Edit ▸ Undo brings the old track back")
        self.retrack.clicked.connect(self.retrack_requested)
        self.fixed = QPushButton(theme().icon("mdi6.pin-outline"), "Use a fixed placement",
                                 toolTip="Keep the product where it is placed, still, through its shot")
        self.fixed.clicked.connect(self.fixed_requested)
        self.fixed.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        row.addWidget(self.slider, 2)
        row.addWidget(self.where, 3)
        row.addWidget(self.retrack)
        row.addWidget(self.fixed)
        QShortcut(QKeySequence(","), self, lambda: self.slider.setValue(self.slider.value() - 1), context=Qt.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("."), self, lambda: self.slider.setValue(self.slider.value() + 1), context=Qt.WidgetWithChildrenShortcut)

    @property
    def frame(self) -> int:
        return self.slider.value()

    def set_clip(self, count: int, frame: int) -> None:
        """Show a clip of count frames at frame (without reporting it as a change)."""
        self.slider.blockSignals(True)
        self.slider.setRange(0, count - 1)
        self.slider.setValue(frame)
        self.slider.blockSignals(False)
        self.offer_fixed(False)

    def show_state(self, frame: int, anchor: int, state: str) -> None:
        mark = " · the placement was made here" if frame == anchor else ""
        self.where.setText(f"Frame {frame} of {self.slider.maximum() + 1} · {STATE_TEXT[state]}{mark}")

    def offer_fixed(self, on: bool) -> None:
        self.fixed.setVisible(on)
