"""The side panel: the product's category and real height, compositing switches and sliders,
the product's rotation, and the score with its parts, plain-language reasons and hard flags."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from studio.kata.product import CATEGORY_HEIGHTS_M
from studio.ui.shell.parts import PanelHeader
from studio.ui.shell.theme import theme

BLENDS = ("feather", "laplacian", "poisson", "none")
HARMONIZE_MODES = (("product", "Keep product colours"), ("match", "Match surroundings"))
CATEGORIES = sorted(CATEGORY_HEIGHTS_M)
PART_NAMES = {"size": "Size", "support": "Support", "occlusion": "Occlusion", "perspective": "Perspective",
              "face": "Clear of faces", "subject": "Clear of the subject", "text": "Clear of text", "free_space": "Free space"}


def _slider(value: float, tip: str) -> QSlider:
    slider = QSlider(Qt.Horizontal, toolTip=tip)
    slider.setRange(0, 100)
    slider.setValue(round(value * 100))
    return slider


class KataPanel(QWidget):
    params_changed = Signal(dict)  # ComposeParams fields, after the user stops moving a slider for a moment
    rotation_changed = Signal(float)
    size_changed = Signal(str, float)  # the product's category and real height in metres, as the user set them

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("Panel")
        self.setAttribute(Qt.WA_StyledBackground)
        self.shadow = QCheckBox("Contact shadow", checked=True, toolTip="A soft shadow where the product touches the surface")
        self.shadow_strength = _slider(0.6, "How dark the shadows are")
        self.cast_shadow = QCheckBox("Cast shadow", checked=True, toolTip="A shadow thrown away from the scene's light")
        self.harmonize = QCheckBox("Harmonize colours", checked=True, toolTip="Match the product's colour, brightness and white balance to the scene around it")
        self.harmonize_strength = _slider(1.0, "How far the product's colours move toward the scene's")
        self.harmonize_mode = QComboBox(toolTip="Keep product colours: only the room's light and white balance reach the product "
                                                "(brand colours stay true). Match surroundings: its colours move toward the scene's.")
        for mode, text in HARMONIZE_MODES:
            self.harmonize_mode.addItem(text, mode)
        self.harmonize.toggled.connect(self.harmonize_mode.setEnabled)
        self.category = QComboBox(toolTip="What the product is; it sets the usual real height")
        self.category.addItems([c.capitalize() for c in CATEGORIES])
        self.category.setCurrentIndex(CATEGORIES.index("bottle"))
        self.height_cm = QDoubleSpinBox(minimum=1, maximum=500, decimals=1, singleStep=1, suffix=" cm",
                                        toolTip="The product's real height: it sets its size in the scene's perspective")
        self.height_cm.setValue(CATEGORY_HEIGHTS_M["bottle"] * 100)
        self.height_cm.setKeyboardTracking(False)  # typing "45" is one change, not "4" then "45"
        self.category.currentIndexChanged.connect(self._on_category_changed)
        self.height_cm.valueChanged.connect(lambda cm: self.size_changed.emit(CATEGORIES[self.category.currentIndex()], cm / 100))
        self.set_size_enabled(False)
        self.blend = QComboBox(toolTip="How the product's edge meets the scene")
        self.blend.addItems([b.capitalize() for b in BLENDS])
        self.feather_px = QDoubleSpinBox(minimum=0, maximum=20, singleStep=0.5, value=2.0, suffix=" px", toolTip="Width of the soft edge")
        self.occlusion = QCheckBox("Occlusion", checked=True, toolTip="Nearer parts of the scene stay in front of the product")
        self.match_grain = QCheckBox("Match grain", checked=True, toolTip="Give the product the scene's noise and grain")
        self.rotation = QDoubleSpinBox(minimum=-180, maximum=180, singleStep=1, suffix="°", toolTip="Rotate the product ([ and ] turn it by 1°)")
        self.rotation.setKeyboardTracking(False)
        product = QFormLayout()
        product.setContentsMargins(12, 8, 12, 8)
        product.setVerticalSpacing(8)
        product.addRow("Category", self.category)
        product.addRow("Real height", self.height_cm)
        product.addRow("Rotation", self.rotation)
        form = QFormLayout()
        form.setContentsMargins(12, 8, 12, 8)
        form.setVerticalSpacing(8)
        form.addRow(self.shadow)
        form.addRow("Strength", self.shadow_strength)
        form.addRow(self.cast_shadow)
        form.addRow(self.harmonize)
        form.addRow("Strength", self.harmonize_strength)
        form.addRow("Colours", self.harmonize_mode)
        form.addRow("Blending", self.blend)
        form.addRow("Feather", self.feather_px)
        form.addRow(self.occlusion)
        form.addRow(self.match_grain)
        self.total = QLabel("–", objectName="ScoreTotal", alignment=Qt.AlignCenter)
        self.total.setStyleSheet("font-size: 30px; font-weight: 600;")
        self.total.setToolTip("How believable and ad-safe the placement is, 0–100")
        self.bars = QFormLayout()
        self.bars.setContentsMargins(12, 0, 12, 0)
        self.flags = QLabel(wordWrap=True, objectName="ScoreFlags")
        self.reasons = QLabel("Drop a product on the scene to see its score.", wordWrap=True, objectName="Muted")
        score = QVBoxLayout()
        score.setContentsMargins(12, 8, 12, 12)
        score.addWidget(self.total)
        score.addLayout(self.bars)
        score.addWidget(self.flags)
        score.addWidget(self.reasons)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(PanelHeader("Product"))
        column.addLayout(product)
        column.addWidget(PanelHeader("Compositing"))
        column.addLayout(form)
        column.addWidget(PanelHeader("Score"))
        column.addLayout(score)
        column.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self._settle = QTimer(self, singleShot=True, interval=120)  # a slider drag sends one change, not fifty
        self._settle.timeout.connect(lambda: self.params_changed.emit(self.params()))
        for box in (self.shadow, self.cast_shadow, self.harmonize, self.occlusion, self.match_grain):
            box.toggled.connect(self._settle.start)
        for slider in (self.shadow_strength, self.harmonize_strength):
            slider.valueChanged.connect(self._settle.start)
        self.blend.currentIndexChanged.connect(self._settle.start)
        self.harmonize_mode.currentIndexChanged.connect(self._settle.start)
        self.feather_px.valueChanged.connect(self._settle.start)
        self.rotation.valueChanged.connect(self.rotation_changed)

    def params(self) -> dict:
        return {"shadow": self.shadow.isChecked(), "shadow_strength": self.shadow_strength.value() / 100,
                "cast_shadow": self.cast_shadow.isChecked(), "harmonize": self.harmonize.isChecked(),
                "harmonize_strength": self.harmonize_strength.value() / 100,
                "harmonize_mode": self.harmonize_mode.currentData(), "blend": BLENDS[self.blend.currentIndex()],
                "feather_px": self.feather_px.value(), "occlusion": self.occlusion.isChecked(),
                "match_grain": self.match_grain.isChecked()}

    def set_params(self, params: dict, rotation_deg: float) -> None:
        """Show stored settings (a loaded recipe, an undo) without sending them back."""
        widgets = [self.shadow, self.cast_shadow, self.harmonize, self.occlusion, self.match_grain, self.shadow_strength,
                   self.harmonize_strength, self.harmonize_mode, self.blend, self.feather_px, self.rotation]
        for w in widgets:
            w.blockSignals(True)
        for name in ("shadow", "cast_shadow", "harmonize", "occlusion", "match_grain"):
            getattr(self, name).setChecked(params.get(name, getattr(self, name).isChecked()))
        for name in ("shadow_strength", "harmonize_strength"):
            if name in params:
                getattr(self, name).setValue(round(params[name] * 100))
        self.blend.setCurrentIndex(BLENDS.index(params.get("blend", BLENDS[self.blend.currentIndex()])))
        self.harmonize_mode.setCurrentIndex(self.harmonize_mode.findData(params.get("harmonize_mode", "product")))
        self.harmonize_mode.setEnabled(self.harmonize.isChecked())
        self.feather_px.setValue(params.get("feather_px", self.feather_px.value()))
        self.rotation.setValue(rotation_deg)
        for w in widgets:
            w.blockSignals(False)

    def set_size(self, category: str, height_m: float) -> None:
        """Show a product's category and height (a loaded product or recipe, an undo) without sending them back."""
        for w in (self.category, self.height_cm):
            w.blockSignals(True)
        self.category.setCurrentIndex(CATEGORIES.index(category))
        self.height_cm.setValue(height_m * 100)
        for w in (self.category, self.height_cm):
            w.blockSignals(False)

    def set_size_enabled(self, on: bool) -> None:
        self.category.setEnabled(on)
        self.height_cm.setEnabled(on)

    def _on_category_changed(self, index: int) -> None:
        """A new category brings its usual height; typing a height afterwards overrides it."""
        self.height_cm.blockSignals(True)
        self.height_cm.setValue(CATEGORY_HEIGHTS_M[CATEGORIES[index]] * 100)
        self.height_cm.blockSignals(False)
        self.size_changed.emit(CATEGORIES[index], self.height_cm.value() / 100)

    def show_score(self, score) -> None:
        while self.bars.rowCount():
            self.bars.removeRow(0)
        if score is None:
            self.total.setText("–")
            self.flags.clear()
            self.reasons.setText("Drop a product on the scene to see its score.")
            return
        c = theme().colors
        colour = c.danger if score.flags or score.total < 40 else c.warning if score.total < 70 else c.success
        self.total.setText(f"{score.total:.0f}")
        self.total.setStyleSheet(f"font-size: 30px; font-weight: 600; color: {colour};")
        for name, value in score.parts.items():
            bar = QProgressBar(textVisible=False, maximumHeight=6)
            bar.setRange(0, 100)
            bar.setValue(round(value * 100))
            bar.setToolTip(f"{value:.2f}")
            self.bars.addRow(PART_NAMES.get(name, name.replace("_", " ").capitalize()), bar)
        self.flags.setText(" · ".join(f"⚠ {flag}" for flag in score.flags))
        self.flags.setStyleSheet(f"color: {c.danger}; font-weight: 600;")
        self.reasons.setText("\n".join(f"• {r}" for r in score.reasons) or "Nothing to fix.")
