"""What goes into a package: the campaign, its platforms and placements, and the compositions
and images that feed them. Emits changed() whenever a choice changes."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.export.plan import PLATFORMS
from studio.core.queries import AssetFilter, client_tree, list_assets
from studio.core.specs.catalog import Catalog
from studio.core.timeline.store import list_compositions
from studio.ui.shell.theme import theme

PLATFORM_NAMES = {"meta": "Meta", "google": "Google", "tiktok": "TikTok", "linkedin": "LinkedIn", "x": "X"}
MEDIA_ICONS = {"image": "mdi6.image-outline", "video": "mdi6.movie-open-outline", "text": "mdi6.text-box-outline"}
PLATFORMS_KEY = "export/platforms"
DEFAULT_PLATFORMS = "meta,google,tiktok,linkedin"
ID_ROLE = Qt.UserRole


@dataclass(frozen=True)
class Choice:
    """make_plan's arguments as the user chose them."""

    campaign_id: int
    platforms: list[str]
    spec_ids: list[str]
    composition_ids: list[int]
    asset_ids: list[int]


class ExportChoices(QWidget):
    changed = Signal()

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.campaign = QComboBox(accessibleName="Campaign")
        self.campaign.currentIndexChanged.connect(self._on_campaign_changed)
        remembered = str(QSettings().value(PLATFORMS_KEY, DEFAULT_PLATFORMS)).split(",")
        self.platform_boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for n, platform in enumerate(PLATFORMS):
            box = self.platform_boxes[platform] = QCheckBox(PLATFORM_NAMES[platform], checked=platform in remembered)
            box.toggled.connect(self._on_platform_toggled)
            grid.addWidget(box, n // 3, n % 3)
        self.placements = QTreeWidget(headerHidden=True, accessibleName="Placements")
        self.placements.itemChanged.connect(self.changed)
        self.compositions = QListWidget(accessibleName="Compositions")
        self.images = QListWidget(accessibleName="Images")
        for widget in (self.compositions, self.images):
            widget.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
            widget.itemChanged.connect(self.changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for title, widget, stretch in (("Campaign", self.campaign, 0), ("Platforms", grid, 0), ("Placements", self.placements, 6),
                                       ("Compositions", self.compositions, 1), ("Images", self.images, 3)):
            layout.addWidget(QLabel(title, objectName="PanelTitle"))
            if isinstance(widget, QGridLayout):
                layout.addLayout(widget)
            else:
                layout.addWidget(widget, stretch)
        self.reload_campaigns()

    # ---- what the user chose -----------------------------------------------------------------
    def choice(self) -> Choice | None:
        """None until a campaign exists."""
        campaign_id = self.campaign.currentData()
        if campaign_id is None:
            return None
        spec_ids = [child.data(0, ID_ROLE) for top in self._platform_items() if not top.isHidden()
                    for child in (top.child(i) for i in range(top.childCount())) if child.checkState(0) == Qt.Checked]
        platforms = [p for p in PLATFORMS if any(s.split(".", 1)[0] == p for s in spec_ids)]
        return Choice(campaign_id, platforms, spec_ids, _ticked(self.compositions), _ticked(self.images))

    def select_campaign(self, campaign_id: int | None) -> None:
        found = self.campaign.findData(campaign_id)
        if found >= 0:
            self.campaign.setCurrentIndex(found)

    def campaign_name(self) -> str:
        return self.campaign.currentData(Qt.UserRole + 1) or ""

    # ---- filling the lists -------------------------------------------------------------------
    def reload_campaigns(self) -> None:
        wanted = self.campaign.currentData() if self.campaign.count() else self.ctx.current_campaign_id
        self.campaign.blockSignals(True)
        self.campaign.clear()
        for client in client_tree(self.ctx.lib):
            for brand in client.brands:
                for c in brand.campaigns:
                    self.campaign.addItem(f"{c.name}  ·  {brand.name}", c.id)
                    self.campaign.setItemData(self.campaign.count() - 1, c.name, Qt.UserRole + 1)
        found = self.campaign.findData(wanted)
        self.campaign.setCurrentIndex(max(found, 0))
        self.campaign.blockSignals(False)
        self.reload_sources()

    def reload_sources(self) -> None:
        """The campaign's compositions and images, keeping what the user unticked."""
        campaign_id = self.campaign.currentData()
        comps = list_compositions(self.ctx.lib, campaign_id) if campaign_id is not None else []
        images = list_assets(self.ctx.lib, AssetFilter(campaign_id=campaign_id, kinds=("image",))) if campaign_id is not None else []
        _fill(self.compositions, [(c.id, c.name, f"{c.width}×{c.height}, {c.duration_s:.1f} s") for c in comps])
        _fill(self.images, [(a.id, a.name, f"{a.width}×{a.height}") for a in images])
        self.changed.emit()

    def set_catalog(self, catalog: Catalog) -> None:
        """The placements of the catalog, under their platforms, keeping what the user unticked."""
        unticked = {child.data(0, ID_ROLE) for top in self._platform_items()
                    for child in (top.child(i) for i in range(top.childCount())) if child.checkState(0) != Qt.Checked}
        self.placements.blockSignals(True)
        self.placements.clear()
        for platform in PLATFORMS:
            top = QTreeWidgetItem([PLATFORM_NAMES[platform]])
            top.setData(0, ID_ROLE, platform)
            top.setFlags(top.flags() | Qt.ItemIsUserCheckable | Qt.ItemIsAutoTristate)
            self.placements.addTopLevelItem(top)
            for spec in (s for s in catalog.entries.values() if s.platform == platform):
                child = QTreeWidgetItem(top, [spec.name])
                child.setData(0, ID_ROLE, spec.id)
                child.setIcon(0, theme().icon(MEDIA_ICONS[spec.media]))
                child.setToolTip(0, f"{spec.id} · {spec.media}" + (f" · {catalog.origins[spec.id]}" if catalog.origins[spec.id] != "shipped" else ""))
                child.setFlags(child.flags() | Qt.ItemIsUserCheckable)
                child.setCheckState(0, Qt.Unchecked if spec.id in unticked else Qt.Checked)
            top.setHidden(not self.platform_boxes[platform].isChecked())
        self.placements.expandAll()
        self.placements.blockSignals(False)
        self.changed.emit()

    def _platform_items(self) -> list[QTreeWidgetItem]:
        return [self.placements.topLevelItem(i) for i in range(self.placements.topLevelItemCount())]

    def _on_campaign_changed(self, _index) -> None:
        self.reload_sources()

    def _on_platform_toggled(self, _checked) -> None:
        chosen = [p for p, box in self.platform_boxes.items() if box.isChecked()]
        QSettings().setValue(PLATFORMS_KEY, ",".join(chosen))
        for top in self._platform_items():
            top.setHidden(top.data(0, ID_ROLE) not in chosen)
        self.changed.emit()


def _ticked(widget: QListWidget) -> list[int]:
    return [widget.item(i).data(ID_ROLE) for i in range(widget.count()) if widget.item(i).checkState() == Qt.Checked]


def _fill(widget: QListWidget, rows: list[tuple[int, str, str]]) -> None:
    unticked = {widget.item(i).data(ID_ROLE) for i in range(widget.count()) if widget.item(i).checkState() != Qt.Checked}
    widget.blockSignals(True)
    widget.clear()
    for item_id, name, size in rows:
        item = QListWidgetItem(f"{name}  ·  {size}")
        item.setToolTip(f"{name} ({size})")
        item.setData(ID_ROLE, item_id)
        item.setCheckState(Qt.Unchecked if item_id in unticked else Qt.Checked)
        widget.addItem(item)
    if not rows:
        empty = QListWidgetItem("None in this campaign")
        empty.setFlags(Qt.NoItemFlags)
        widget.addItem(empty)
    widget.blockSignals(False)
