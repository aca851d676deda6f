"""The inspector: the selected clip's properties. Every change is one save through the
controller; typing and spin-box steps merge into one undo step per field (merge key).

While an aspect variant is shown, a banner says so and layout edits (position, scale, rotation,
opacity, crop, fit, wrap width) go to that variant's override for the clip: their labels are
marked where the variant differs from the main layout, and "Reset to main layout" drops the
override. Timing and content stay shared by all variants."""

from __future__ import annotations

import qtawesome as qta
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox, QColorDialog, QComboBox, QDoubleSpinBox, QFontComboBox, QFormLayout, QGridLayout, QHBoxLayout, QLabel,
    QLineEdit, QPlainTextEdit, QPushButton, QScrollArea, QStackedWidget, QToolButton, QVBoxLayout, QWidget,
)

from studio.core.timeline import variants
from studio.core.compliance.rules import PLATFORMS
from studio.core.ops.kata import is_video_recipe
from studio.core.timeline.model import Animated, KataClip, MediaClip, ShapeClip, Stroke, TextBox, TextClip
from studio.core.timeline.store import composition_campaign
from studio.ui.shell.parts import EmptyState, PanelHeader
from studio.ui.shell.theme import theme
from studio.ui.widgets.copy_highlighter import CopyHighlighter, campaign_rules
from studio.ui.workspaces.creative.timeline_model import TimelineController, parse_timecode, source_limit, timecode

KEY_COLOUR = "#FFD54A"


def _spin(low: float, high: float, step: float, decimals: int = 2, suffix: str = "") -> QDoubleSpinBox:
    box = QDoubleSpinBox(minimum=low, maximum=high, singleStep=step, decimals=decimals, suffix=suffix)
    box.setKeyboardTracking(False)  # typed numbers apply on Enter or leaving the field
    box.setAccelerated(True)
    box.setMinimumWidth(64)
    return box


class KeyframeButton(QToolButton):
    """The diamond: filled when the property has a keyframe at the playhead."""

    def __init__(self, prop: str, parent=None):
        super().__init__(parent)
        self.prop = prop
        self.setAutoRaise(True)
        self.setIconSize(QSize(14, 14))
        self.setToolTip("Add or remove a keyframe at the playhead")
        self.setAccessibleName(f"Keyframe {prop}")
        self.state = (False, False)
        self.show_state(False, False)

    def show_state(self, on_key: bool, animated: bool) -> None:
        self.state = (on_key, animated)
        name = "mdi6.rhombus" if on_key else "mdi6.rhombus-outline"
        self.setIcon(qta.icon(name, color=KEY_COLOUR if (on_key or animated) else theme().colors.muted))


class ColourButton(QToolButton):
    colour_chosen = Signal(str)

    def __init__(self, title: str, alpha: bool = False, parent=None):
        super().__init__(parent)
        self._title, self._alpha = title, alpha
        self.colour = "#FFFFFF"
        self.setToolTip(title)
        self.setAccessibleName(title)
        self.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.clicked.connect(self._pick)

    def set_colour(self, colour: str) -> None:
        self.colour = colour
        pix = QPixmap(16, 16)
        pix.fill(QColor(colour[:7]))
        self.setIcon(QIcon(pix))
        self.setText(colour.upper())

    def _pick(self) -> None:
        options = QColorDialog.ShowAlphaChannel if self._alpha else QColorDialog.ColorDialogOption(0)
        start = QColor(self.colour[:7])
        if len(self.colour) == 9:
            start.setAlpha(int(self.colour[7:], 16))
        chosen = QColorDialog.getColor(start, self, self._title, options)
        if chosen.isValid():
            text = chosen.name().upper() + (f"{chosen.alpha():02X}" if self._alpha and chosen.alpha() < 255 else "")
            self.set_colour(text)
            self.colour_chosen.emit(text)


class InspectorPanel(QWidget):
    def __init__(self, controller: TimelineController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.clip_id: str | None = None
        self.setObjectName("Panel")
        self.setAttribute(Qt.WA_StyledBackground)
        self._text_timer = QTimer(self, singleShot=True, interval=250)
        self._text_timer.timeout.connect(self._commit_text)
        self.header = PanelHeader("Inspector")
        self.stack = QStackedWidget()
        self.empty = EmptyState("mdi6.tune-variant", "Nothing selected", "Select a clip on the timeline to edit its properties.")
        self.stack.addWidget(self.empty)
        self.scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.form_host = QWidget()
        self.scroll.setWidget(self.form_host)
        self.stack.addWidget(self.scroll)
        self._build_form()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        controller.selection_changed.connect(self.refresh)
        controller.composition_changed.connect(self.refresh)
        controller.playhead_changed.connect(lambda _f: self.refresh())
        controller.variant_changed.connect(self.refresh)
        controller.loaded.connect(self._follow_brand)
        self._follow_brand(controller.composition_id)
        self.refresh()

    def _follow_brand(self, composition_id: int | None) -> None:
        """Text in the picture is checked with the rules of the composition's brand (its own banned
        words, its name allowed in capitals)."""
        campaign_id = composition_campaign(self.controller.ctx.lib, composition_id) if composition_id is not None else None
        ruleset, context = campaign_rules(self.controller.ctx.lib, campaign_id)
        self.text_highlighter.set_target(PLATFORMS, "image_text", ruleset=ruleset, context=context)

    # ---- building ---------------------------------------------------------------------------
    def _section(self, layout: QVBoxLayout, title: str) -> tuple[QWidget, QFormLayout]:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 8, 0, 4)
        label = QLabel(title.upper(), objectName="PanelTitle")
        v.addWidget(label)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        v.addLayout(form)
        layout.addWidget(box)
        return box, form

    def _layout_row(self, form: QFormLayout, field: str, text: str, editor) -> None:
        """A row for a layout property: its label is marked when a variant overrides it."""
        label = QLabel(text)
        label.setProperty("base_text", text)
        self.layout_labels[field] = label
        form.addRow(label, editor)

    def _build_variant_banner(self, v: QVBoxLayout) -> None:
        self.variant_banner = QWidget(objectName="Banner")
        self.variant_banner.setAttribute(Qt.WA_StyledBackground)
        box = QVBoxLayout(self.variant_banner)
        box.setContentsMargins(10, 8, 10, 8)
        box.setSpacing(4)
        self.variant_title = QLabel()
        self.variant_title.setStyleSheet("font-weight: 600;")
        self.variant_note = QLabel(objectName="Muted", wordWrap=True)
        self.reset_button = QPushButton("Reset to main layout")
        self.reset_button.setToolTip("Lay this clip out as in the main layout again (drops its override in this variant)")
        self.reset_button.clicked.connect(self._reset_layout)
        box.addWidget(self.variant_title)
        box.addWidget(self.variant_note)
        box.addWidget(self.reset_button, 0, Qt.AlignLeft)
        v.addWidget(self.variant_banner)

    def _build_form(self) -> None:
        v = QVBoxLayout(self.form_host)
        v.setContentsMargins(12, 4, 12, 12)
        self.layout_labels: dict[str, QLabel] = {}
        self._build_variant_banner(v)
        self.kind_label = QLabel(objectName="Muted", wordWrap=True)
        v.addWidget(self.kind_label)
        _box, form = self._section(v, "Clip")
        self.name_edit = QLineEdit()
        self.name_edit.textEdited.connect(lambda t: self._set("name", lambda c: setattr(c, "name", t), "Rename clip"))
        self.start_edit = QLineEdit()
        self.start_edit.setToolTip("Start on the timeline: HH:MM:SS:FF, frames, or seconds like 2.5s")
        self.start_edit.editingFinished.connect(self._on_start_edited)
        self.duration_edit = QLineEdit()
        self.duration_edit.setToolTip("Duration: HH:MM:SS:FF, frames, or seconds like 2.5s")
        self.duration_edit.editingFinished.connect(self._on_duration_edited)
        self.enabled_check = QCheckBox("Enabled")
        self.enabled_check.toggled.connect(lambda on: self._set("enabled", lambda c: setattr(c, "enabled", on), "Enable clip"))
        form.addRow("Name", self.name_edit)
        form.addRow("Start", self.start_edit)
        form.addRow("Duration", self.duration_edit)
        form.addRow("", self.enabled_check)

        self.media_box, form = self._section(v, "Media")
        self.source_in = _spin(0, 36000, 0.1, 2, " s")
        self.source_in.valueChanged.connect(lambda x: self._set("source_in", lambda c: setattr(c, "source_in", x), "Change source in"))
        self.speed = _spin(0.1, 16, 0.1, 2, "×")
        self.speed.valueChanged.connect(lambda x: self._set("speed", lambda c: setattr(c, "speed", x), "Change speed"))
        self.fit = QComboBox()
        self.fit.addItems(["contain", "cover", "none"])
        self.fit.currentTextChanged.connect(lambda t: self._layout("fit", lambda c: setattr(c, "fit", t), "Change fit"))
        self.volume = _spin(0, 400, 5, 0, " %")
        self.volume.valueChanged.connect(self._on_volume)
        form.addRow("Source in", self.source_in)
        form.addRow("Speed", self.speed)
        self._layout_row(form, "fit", "Fit", self.fit)
        form.addRow("Volume", self.volume)

        self.transform_box, form = self._section(v, "Transform")
        self.pos_x = _spin(-100, 200, 1, 1, " %")
        self.pos_y = _spin(-100, 200, 1, 1, " %")
        self.scale = _spin(1, 1000, 1, 1, " %")
        self.rotation = _spin(-3600, 3600, 1, 1, "°")
        self.opacity = _spin(0, 100, 1, 0, " %")
        self.key_buttons: dict[str, KeyframeButton] = {}
        for prop, widgets, label in (("position", (self.pos_x, self.pos_y), "Position"), ("scale", (self.scale,), "Scale"),
                                     ("rotation", (self.rotation,), "Rotation"), ("opacity", (self.opacity,), "Opacity")):
            row = QHBoxLayout()
            row.setSpacing(4)
            for w in widgets:
                row.addWidget(w, 1)
            key = KeyframeButton(prop)
            key.clicked.connect(lambda _=False, p=prop: self._toggle_key(p))
            self.key_buttons[prop] = key
            row.addWidget(key)
            self._layout_row(form, prop, label, row)
        self.crop = {}
        crop_grid = QGridLayout()
        crop_grid.setSpacing(4)
        for i, (side, prefix) in enumerate((("left", "L "), ("right", "R "), ("top", "T "), ("bottom", "B "))):
            spin = _spin(0, 99, 1, 0, " %")
            spin.setPrefix(prefix)
            spin.setToolTip(f"Crop from the {side}")
            spin.valueChanged.connect(lambda _x: self._on_crop())
            self.crop[side] = spin
            crop_grid.addWidget(spin, i // 2, i % 2)
        self._layout_row(form, "crop", "Crop", crop_grid)
        self.pos_x.valueChanged.connect(lambda _x: self._on_position())
        self.pos_y.valueChanged.connect(lambda _y: self._on_position())
        self.scale.valueChanged.connect(lambda x: self._animated("scale", x / 100))
        self.rotation.valueChanged.connect(lambda x: self._animated("rotation", x))
        self.opacity.valueChanged.connect(lambda x: self._animated("opacity", x / 100))

        self.text_box, form = self._section(v, "Text")
        self.text_edit = QPlainTextEdit()
        self.text_highlighter = CopyHighlighter(self.text_edit, field="image_text")  # words in the picture: every platform's rules
        self.text_edit.setFixedHeight(64)
        self.text_edit.textChanged.connect(self._text_timer.start)
        self.font_combo = QFontComboBox()
        self.font_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.font_combo.setMinimumContentsLength(8)
        self.font_combo.currentFontChanged.connect(lambda f: self._set("font", lambda c: setattr(c, "font", f.family()), "Change font"))
        self.size = _spin(4, 1000, 2, 0, " px")
        self.size.valueChanged.connect(lambda x: self._set("size", lambda c: setattr(c, "size", x), "Change text size"))
        self.weight = QComboBox()
        self.weight.addItems(["regular", "bold"])
        self.weight.currentTextChanged.connect(lambda t: self._set("weight", lambda c: setattr(c, "weight", t), "Change weight"))
        self.colour = ColourButton("Text colour")
        self.colour.colour_chosen.connect(lambda col: self._set("colour", lambda c: setattr(c, "colour", col), "Change text colour"))
        self.stroke_width = _spin(0, 100, 1, 1, " px")
        self.stroke_width.valueChanged.connect(lambda x: self._set("stroke", lambda c: setattr(c, "stroke", Stroke(width=x, colour=c.stroke.colour)), "Change stroke"))
        self.stroke_colour = ColourButton("Stroke colour")
        self.stroke_colour.colour_chosen.connect(lambda col: self._set("stroke_colour", lambda c: setattr(c, "stroke", Stroke(width=c.stroke.width, colour=col)), "Change stroke colour"))
        self.box_check = QCheckBox("Background box")
        self.box_check.toggled.connect(lambda on: self._set("box", lambda c: setattr(c, "box", TextBox() if on else None), "Text box"))
        self.align = QComboBox()
        self.align.addItems(["left", "center", "right"])
        self.align.currentTextChanged.connect(lambda t: self._set("align", lambda c: setattr(c, "align", t), "Change alignment"))
        self.wrap_width = _spin(5, 100, 1, 0, " %")
        self.wrap_width.setToolTip("The widest a line of text may be, as a share of the frame's width")
        self.wrap_width.valueChanged.connect(lambda x: self._layout("wrap_width", lambda c: setattr(c, "wrap_width", x / 100), "Change wrap width"))
        form.addRow("Text", self.text_edit)
        form.addRow("Font", self.font_combo)
        form.addRow("Size", self.size)
        form.addRow("Weight", self.weight)
        form.addRow("Colour", self.colour)
        form.addRow("Stroke", self.stroke_width)
        form.addRow("Stroke colour", self.stroke_colour)
        form.addRow("", self.box_check)
        form.addRow("Align", self.align)
        self._layout_row(form, "wrap_width", "Wrap width", self.wrap_width)

        self.shape_box, form = self._section(v, "Shape")
        self.shape = QComboBox()
        self.shape.addItems(["rectangle", "rounded_rectangle", "ellipse"])
        self.shape.currentTextChanged.connect(lambda t: self._set("shape", lambda c: setattr(c, "shape", t), "Change shape"))
        self.fill = ColourButton("Fill colour", alpha=True)
        self.fill.colour_chosen.connect(lambda col: self._set("fill", lambda c: setattr(c, "fill", col), "Change fill"))
        self.radius = _spin(0, 1000, 2, 0, " px")
        self.radius.valueChanged.connect(lambda x: self._set("radius", lambda c: setattr(c, "radius", x), "Change corner radius"))
        form.addRow("Shape", self.shape)
        form.addRow("Fill", self.fill)
        form.addRow("Corner radius", self.radius)
        v.addStretch(1)
        self._editors = [self.name_edit, self.start_edit, self.duration_edit, self.enabled_check, self.source_in, self.speed,
                         self.fit, self.volume, self.pos_x, self.pos_y, self.scale, self.rotation, self.opacity,
                         *self.crop.values(), self.wrap_width, self.text_edit, self.font_combo, self.size, self.weight,
                         self.stroke_width, self.box_check, self.align, self.shape, self.radius]

    # ---- showing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        track, clip = self.controller.primary()
        self.clip_id = clip.id if clip is not None else None
        if clip is None:
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.scroll)
        comp = self.controller.composition
        main, clip = clip, self.controller.display_composition().find_clip(clip.id)[1]  # as the variant shown lays it out
        self._show_variant(variants.overridden(main, clip) if self.controller.variant else set())
        for w in self._editors:
            w.blockSignals(True)
        try:
            kind = {"media": "Media clip", "text": "Text", "shape": "Shape"}.get(clip.kind, "")
            asset = self.controller.asset(getattr(clip, "asset_id", None))
            if asset is not None:
                kind = f"{asset.kind.capitalize()} · {asset.name}"
            if isinstance(clip, KataClip):
                kind = f"Kata placement · {self.controller.recipe_name(clip.recipe_id) or 'its recipe was deleted'}"
            count = len(self.controller.selected)
            self.kind_label.setText(kind + (f"   ({count} selected)" if count > 1 else "") + f"   on {track.name or track.kind}")
            self._put(self.name_edit, clip.name)
            self._put(self.start_edit, timecode(clip.start, comp.fps))
            self._put(self.duration_edit, timecode(clip.duration, comp.fps))
            self.enabled_check.setChecked(clip.enabled)
            is_media, is_text, is_shape = isinstance(clip, MediaClip), isinstance(clip, TextClip), isinstance(clip, ShapeClip)
            is_kata = isinstance(clip, KataClip)  # a still picture with a fit; a tracked one plays from its in-point
            kata_video = is_kata and is_video_recipe(self.controller.ctx.lib, clip.recipe_id)
            self.media_box.setVisible(is_media or is_kata)
            self.text_box.setVisible(is_text)
            self.shape_box.setVisible(is_shape)
            audio_only = asset is not None and asset.kind == "audio"
            self.transform_box.setVisible(not audio_only)
            local = min(max(0, self.controller.playhead - clip.start), clip.duration - 1)
            inside = clip.start <= self.controller.playhead < clip.end
            t = clip.transform
            pos = t.position.at(local)
            self._put(self.pos_x, pos[0] * 100)
            self._put(self.pos_y, pos[1] * 100)
            self._put(self.scale, t.scale.at(local) * 100)
            self._put(self.rotation, t.rotation.at(local))
            self._put(self.opacity, t.opacity.at(local) * 100)
            for side, value in zip(("left", "top", "right", "bottom"), t.crop):
                self._put(self.crop[side], value * 100)
            for prop, button in self.key_buttons.items():
                anim = getattr(t, prop)
                button.show_state(any(k.frame == self.controller.playhead - clip.start for k in anim.keyframes), bool(anim.keyframes))
                button.setEnabled(inside)
            if is_media or is_kata:
                self.fit.setCurrentText(clip.fit)
                still = (is_kata and not kata_video) or (asset is not None and asset.kind == "image")
                self.source_in.setEnabled(not still)
                self.speed.setEnabled(not still and not is_kata)
                self.volume.setEnabled(not still and not is_kata)
            if is_media or kata_video:
                self._put(self.source_in, clip.source_in)
            if is_media:
                self._put(self.speed, clip.speed)
                self._put(self.volume, clip.volume.at(local) * 100)
            if is_text:
                if not self.text_edit.hasFocus() and self.text_edit.toPlainText() != clip.text:
                    self.text_edit.setPlainText(clip.text)
                self.font_combo.setCurrentFont(QFont(clip.font))
                self._put(self.size, clip.size)
                self.weight.setCurrentText(clip.weight)
                self.colour.set_colour(clip.colour)
                self._put(self.stroke_width, clip.stroke.width)
                self.stroke_colour.set_colour(clip.stroke.colour)
                self.box_check.setChecked(clip.box is not None)
                self.align.setCurrentText(clip.align)
                self._put(self.wrap_width, clip.wrap_width * 100)
            if is_shape:
                self.shape.setCurrentText(clip.shape)
                self.fill.set_colour(clip.fill)
                self._put(self.radius, clip.radius)
        finally:
            for w in self._editors:
                w.blockSignals(False)

    def _show_variant(self, differs: set[str]) -> None:
        """The banner and the marks on the properties the variant shown lays out differently."""
        name = self.controller.variant
        self.variant_banner.setVisible(name is not None)
        if name:
            shown = variants.label(name)
            self.variant_title.setText(f"Layout in {shown}")
            self.variant_note.setText(f"Layout edits (position, scale, rotation, opacity, crop, fit, wrap width) apply to {shown} "
                                      "only. Timing and content are shared by every variant.")
            self.reset_button.setEnabled(bool(differs))
        for field, label in self.layout_labels.items():
            marked = field in differs
            if label.property("marked") == marked:
                continue  # refresh runs on every frame of playback: restyle only what changed
            label.setProperty("marked", marked)
            label.setText(("● " if marked else "") + label.property("base_text"))
            label.setStyleSheet(f"color: {theme().colors.accent}; font-weight: 600;" if marked else "")
            label.setToolTip("Differs from the main layout in this variant" if marked else "")

    @staticmethod
    def _put(widget, value) -> None:
        """Show a value unless the user is typing in that very field."""
        if isinstance(widget, QLineEdit):
            if not widget.hasFocus() and widget.text() != value:
                widget.setText(value)
        elif abs(widget.value() - value) > 1e-9 and not (widget.hasFocus() and widget.lineEdit().isModified()):
            widget.setValue(value)

    # ---- editing ----------------------------------------------------------------------------
    def _set(self, field: str, apply, label: str) -> None:
        if not self.clip_id:
            return

        def change(_comp, _track, clip):
            return apply(clip)

        self.controller.update_clip(self.clip_id, change, label, merge_key=f"{self.clip_id}:{field}")

    def _layout(self, field: str, apply, label: str) -> None:
        """A layout edit: to the shown variant's override for the clip, or the clip itself."""
        if self.clip_id:
            self.controller.update_layout(self.clip_id, lambda _comp, _track, clip: apply(clip), label, merge_key=f"{self.clip_id}:{field}")

    def _on_crop(self) -> None:
        crop = tuple(self.crop[side].value() / 100 for side in ("left", "top", "right", "bottom"))
        self._layout("crop", lambda c: setattr(c.transform, "crop", crop), "Change crop")

    def _reset_layout(self) -> None:
        if self.clip_id:
            self.controller.reset_layout(self.clip_id)

    def _animated(self, prop: str, value) -> None:
        if self.clip_id:
            self.controller.set_animated(self.clip_id, prop, value, merge_key=f"{self.clip_id}:{prop}")

    def _on_position(self) -> None:
        self._animated("position", (self.pos_x.value() / 100, self.pos_y.value() / 100))

    def _on_volume(self, percent: float) -> None:
        self._set("volume", lambda c: setattr(c, "volume", Animated(value=percent / 100)), "Change volume")

    def _toggle_key(self, prop: str) -> None:
        if self.clip_id:
            self.controller.toggle_keyframe(self.clip_id, prop)

    def _commit_text(self) -> None:
        text = self.text_edit.toPlainText()
        if text.strip():
            self._set("text", lambda c: setattr(c, "text", text), "Edit text")

    def _on_start_edited(self) -> None:
        comp = self.controller.composition
        frame = parse_timecode(self.start_edit.text(), comp.fps) if comp else None
        if frame is None or frame < 0:
            self.refresh()
            return
        self._set("start", lambda c: setattr(c, "start", frame), "Move clip")

    def _on_duration_edited(self) -> None:
        comp = self.controller.composition
        frames = parse_timecode(self.duration_edit.text(), comp.fps) if comp else None
        if not frames or frames <= 0:
            self.refresh()
            return
        _track, clip = comp.find_clip(self.clip_id)
        if isinstance(clip, MediaClip):
            limit = source_limit(comp, clip, self.controller.asset(clip.asset_id))
            if limit:
                frames = min(frames, limit)
        self._set("duration", lambda c: setattr(c, "duration", frames), "Change duration")
