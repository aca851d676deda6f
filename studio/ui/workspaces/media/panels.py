"""The side panels of the media library: filters (left) and the selection's details (right).
Both only emit what the user asked for; the view turns that into core ops."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleRangeSlider

from studio.core.queries import AssetFilter, AssetInfo
from studio.ui.widgets.flow_layout import FlowLayout
from studio.ui.widgets.thumbnail_grid import ThumbnailCache, fitted, paint_checkerboard, themed_icon
from studio.ui.widgets.asset_text import dimensions, human_duration, human_size

MAX_DURATION_S = 300.0  # the slider's right end means "and longer"
UNASSIGNED = "unassigned"
FIELDS = ("Kind", "Dimensions", "Duration", "Frame rate", "Codecs", "Audio", "Orientation", "Size", "Hash", "Source", "Imported", "Campaign")


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: 600;")
    return label


class FilterPanel(QWidget):
    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(_heading("Kind"))
        self.kind_boxes = {}
        for kind, label in (("image", "Images"), ("video", "Videos"), ("audio", "Audio")):
            box = QCheckBox(label)
            box.toggled.connect(self.changed)
            layout.addWidget(box)
            self.kind_boxes[kind] = box
        layout.addWidget(_heading("Orientation"))
        self.orientation = QComboBox()
        for label, value in (("Any", None), ("Landscape", "landscape"), ("Portrait", "portrait"), ("Square", "square")):
            self.orientation.addItem(label, value)
        self.orientation.currentIndexChanged.connect(self.changed)
        layout.addWidget(self.orientation)
        layout.addWidget(_heading("Duration (s)"))
        self.duration = QLabeledDoubleRangeSlider(Qt.Horizontal)
        self.duration.setRange(0, MAX_DURATION_S)
        self.duration.setValue((0, MAX_DURATION_S))
        self.duration.setDecimals(0)
        self.duration.setHandleLabelPosition(QLabeledDoubleRangeSlider.LabelPosition.NoLabel)
        self.duration.setEdgeLabelMode(QLabeledDoubleRangeSlider.EdgeLabelMode.LabelIsValue)
        self.duration.valueChanged.connect(self.changed)
        layout.addWidget(self.duration)
        layout.addWidget(_heading("Campaign"))
        self.campaign = QComboBox()
        self.campaign.currentIndexChanged.connect(self.changed)
        layout.addWidget(self.campaign)
        layout.addWidget(_heading("Tags"))
        self.tags = QListWidget()
        self.tags.itemChanged.connect(self.changed)
        layout.addWidget(self.tags, 1)
        self.set_campaigns([])

    def set_campaigns(self, campaigns: list[tuple[int, str]]) -> None:
        current = self.campaign.currentData()
        self.campaign.blockSignals(True)
        self.campaign.clear()
        self.campaign.addItem("All campaigns", None)
        self.campaign.addItem("Unassigned", UNASSIGNED)
        for campaign_id, label in campaigns:
            self.campaign.addItem(label, campaign_id)
        self.campaign.setCurrentIndex(max(0, self.campaign.findData(current)))
        self.campaign.blockSignals(False)
        if self.campaign.currentData() != current:
            self.changed.emit()

    def select_campaign(self, campaign_id: int | None) -> None:
        self.campaign.setCurrentIndex(max(0, self.campaign.findData(campaign_id)))

    def set_tags(self, tags: list[str]) -> None:
        checked = set(self.checked_tags())
        self.tags.blockSignals(True)
        self.tags.clear()
        for tag in tags:
            item = QListWidgetItem(tag)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if tag in checked else Qt.Unchecked)
            self.tags.addItem(item)
        self.tags.blockSignals(False)
        if checked - set(tags):
            self.changed.emit()

    def checked_tags(self) -> list[str]:
        return [self.tags.item(i).text() for i in range(self.tags.count()) if self.tags.item(i).checkState() == Qt.Checked]

    def asset_filter(self, text: str = "", trashed: bool = False) -> AssetFilter:
        low, high = self.duration.value()
        campaign = self.campaign.currentData()
        return AssetFilter(
            text=text.strip(),
            kinds=tuple(k for k, box in self.kind_boxes.items() if box.isChecked()),
            orientation=self.orientation.currentData(),
            min_duration=low if low > 0 else None,
            max_duration=high if high < MAX_DURATION_S else None,
            tags=tuple(self.checked_tags()),
            campaign_id=campaign if isinstance(campaign, int) else None,
            unassigned=campaign == UNASSIGNED,
            trashed=trashed,
        )


class Preview(QLabel):
    """The selection's thumbnail, fitted, over a checkerboard for cut-outs."""

    def __init__(self, cache: ThumbnailCache, parent=None):
        super().__init__(parent)
        self._cache, self._path, self._checker = cache, "", False
        self.setMinimumHeight(180)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        cache.ready.connect(lambda path: path == self._path and self.update())

    def show_thumbnail(self, path: str, checker: bool) -> None:
        self._path, self._checker = path, checker
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.SmoothPixmapTransform)
        pixmap = self._cache.pixmap(self._path) if self._path else None
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            target = fitted(pixmap.size(), self.rect())
            if self._checker:
                paint_checkerboard(painter, target, self.palette())
            painter.drawPixmap(target, pixmap)


class MetadataPanel(QScrollArea):
    rename_requested = Signal(int, str)  # asset id, new name
    notes_edited = Signal(int, str)
    tag_added = Signal(list, str)  # asset ids, tag
    tag_removed = Signal(list, str)

    def __init__(self, cache: ThumbnailCache, lib_root, parent=None):
        super().__init__(parent)
        self._root = lib_root
        self._assets: list[AssetInfo] = []
        self.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.preview = Preview(cache)
        layout.addWidget(self.preview)
        self.title = QLabel()
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.details = QWidget()
        layout.addWidget(self.details)
        layout.addStretch(1)
        layout = QVBoxLayout(self.details)
        layout.setContentsMargins(0, 0, 0, 0)
        self.name = QLineEdit()
        self.name.setPlaceholderText("Name")
        self.name.editingFinished.connect(self._on_name_edited)
        layout.addWidget(self.name)
        self._form = form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key in FIELDS:
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            value.setWordWrap(True)
            form.addRow(key, value)
            self.fields[key] = value
        layout.addLayout(form)
        layout.addWidget(_heading("Tags"))
        self._chips = QWidget()
        self._chips.setStyleSheet(
            "QToolButton#tagChip { border: 1px solid palette(mid); border-radius: 11px; padding: 2px 8px;"
            " background: palette(button); }"
        )
        self._chips_layout = FlowLayout(self._chips)
        layout.addWidget(self._chips)
        self.tag_input = QLineEdit()
        self.tag_input.setPlaceholderText("Add a tag and press Enter")
        self._tag_words = QStringListModel(self)
        self.tag_input.setCompleter(QCompleter(self._tag_words, self.tag_input))
        self.tag_input.returnPressed.connect(self._on_tag_input_return)
        layout.addWidget(self.tag_input)
        layout.addWidget(_heading("Notes"))
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Usage rights, talent releases, where it ran…")
        self.notes.setMaximumHeight(120)
        self._notes_timer = QTimer(self, singleShot=True, interval=400)
        self._notes_timer.timeout.connect(self.flush_notes)
        self.notes.textChanged.connect(self._on_notes_changed)
        layout.addWidget(self.notes)
        self.setWidget(body)
        self.set_assets([], {})

    def set_known_tags(self, tags: list[str]) -> None:
        self._tag_words.setStringList(tags)

    def set_assets(self, assets: list[AssetInfo], campaign_names: dict[int, str]) -> None:
        """Show the selection. Fields the user is editing right now are left alone."""
        previous = [a.id for a in self._assets]
        if previous != [a.id for a in assets]:
            self.flush_notes()
        self._assets = assets
        one = assets[0] if len(assets) == 1 else None
        self.name.setEnabled(one is not None)
        self.notes.setEnabled(one is not None)
        self.tag_input.setEnabled(bool(assets))
        self.details.setVisible(bool(assets))
        self.preview.setVisible(bool(assets))
        same = previous == [a.id for a in assets]
        if not (same and self.name.isModified()):
            self.name.setText(one.name if one else "")
        notes = (one.notes or "") if one else ""
        # Typing not yet saved is kept; resetting equal text would throw the cursor to the start.
        if not same or (not self._notes_timer.isActive() and self.notes.toPlainText() != notes):
            self.notes.blockSignals(True)
            self.notes.setPlainText(notes)
            self.notes.blockSignals(False)
        self.title.setText("" if one else (f"{len(assets)} assets selected" if assets else "Select an asset to see its details"))
        first = assets[0] if assets else None
        thumb = str(self._root / first.thumbnail) if first and first.thumbnail else ""
        self.preview.show_thumbnail(thumb, bool(first and first.has_alpha))
        self._fill_fields(one, assets, campaign_names)
        self._fill_chips(assets)

    def _fill_fields(self, one: AssetInfo | None, assets: list[AssetInfo], campaign_names: dict[int, str]) -> None:
        values = dict.fromkeys(self.fields, "")
        if one:
            values.update({
                "Kind": one.kind.capitalize() + (" with transparency" if one.has_alpha else ""),
                "Dimensions": dimensions(one),
                "Duration": human_duration(one.duration),
                "Frame rate": f"{one.fps:.3g} fps" if one.fps else "",
                "Codecs": " / ".join(c for c in (one.video_codec, one.audio_codec) if c),
                "Audio": {1: "Mono", 2: "Stereo"}.get(one.audio_channels, f"{one.audio_channels} channels") if one.audio_channels else "",
                "Orientation": (one.orientation or "").capitalize(),
                "Size": human_size(one.size_bytes),
                "Hash": one.sha256[:12],
                "Source": one.source_path or "",
                "Imported": one.imported_at.strftime("%Y-%m-%d %H:%M"),
                "Campaign": campaign_names.get(one.campaign_id, "Unassigned") if one.campaign_id else "Unassigned",
            })
            self.fields["Hash"].setToolTip(one.sha256)
        elif assets:
            values["Size"] = human_size(sum(a.size_bytes for a in assets))
        for key, label in self.fields.items():
            label.setText(values[key])
            self._form.setRowVisible(label, bool(values[key]))

    def _fill_chips(self, assets: list[AssetInfo]) -> None:
        while (item := self._chips_layout.takeAt(0)) is not None:
            item.widget().hide()
            item.widget().deleteLater()
        for tag in sorted({t for a in assets for t in a.tags}):
            chip = QToolButton()
            chip.setText(tag)
            chip.setObjectName("tagChip")
            chip.setToolTip(f"Remove the tag {tag!r}")
            chip.setIcon(themed_icon("mdi6.close", self.palette().color(self.palette().ColorRole.ButtonText)))
            chip.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            chip.setLayoutDirection(Qt.RightToLeft)  # the × after the word
            chip.setAutoRaise(False)
            chip.clicked.connect(lambda _=False, t=tag: self.tag_removed.emit([a.id for a in self._assets], t))
            self._chips_layout.addWidget(chip)
        self._chips.updateGeometry()

    def chip_texts(self) -> list[str]:
        return [self._chips_layout.itemAt(i).widget().text() for i in range(self._chips_layout.count())]

    def typing(self, asset_id: int) -> bool:
        """Whether this asset alone is shown with a name or notes typed and not saved yet."""
        shown = [a.id for a in self._assets] == [asset_id]
        return shown and (self.name.isModified() or self._notes_timer.isActive())

    def focus_name(self) -> None:
        target = self.name if self.name.isEnabled() else self.tag_input
        target.setFocus()
        if target is self.name:
            self.name.selectAll()

    def _on_name_edited(self) -> None:
        if len(self._assets) != 1:
            return
        self.name.setModified(False)
        if not self.name.text().strip():
            self.name.setText(self._assets[0].name)  # a name cannot be empty: put it back
        elif self.name.text() != self._assets[0].name:
            self.rename_requested.emit(self._assets[0].id, self.name.text())

    def _on_tag_input_return(self) -> None:
        tag = self.tag_input.text().strip()
        if tag and self._assets:
            self.tag_input.clear()
            self.tag_added.emit([a.id for a in self._assets], tag)

    def _on_notes_changed(self) -> None:
        self._notes_timer.start()

    def flush_notes(self) -> None:
        if self._notes_timer.isActive():
            self._notes_timer.stop()
        if len(self._assets) == 1 and self.notes.toPlainText() != (self._assets[0].notes or ""):
            self.notes_edited.emit(self._assets[0].id, self.notes.toPlainText())
