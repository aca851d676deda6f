"""The Competitors tab: the words that set each brand apart (chips, the strongest first), how much
each pair of brands overlaps and in what words, and the brand's palette against each competitor's
as swatch pairs with their ΔE. Worked out off the GUI thread each time the brand's documents or
profile change, while the tab shows."""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import BadInput
from studio.core.research import library
from studio.core.research.compare import Comparison, PaletteDistance
from studio.core.research.profile import get_brand_profile
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.widgets.flow_layout import FlowLayout
from studio.ui.widgets.latest_only import LatestOnly
from studio.ui.widgets.refresh_when_shown import RefreshWhenShown

STRONG_Z = 2.0  # a term scoring over this is clearly the brand's own: its chip is accented


@dataclass(frozen=True)
class Competition:
    brand: str
    competitors: list[str]
    comparison: Comparison | str  # or why there is none
    palettes: list[tuple[str, PaletteDistance | str]]  # per competitor: the distance, or why there is none


def compete(lib, brand_id: int) -> Competition | None:
    """Everything the tab shows (runs off the GUI thread); None when the brand is gone."""
    try:
        profile = get_brand_profile(lib, brand_id)
    except BadInput:
        return None
    try:
        comparison = library.compare_with_competitors(lib, brand_id)
    except BadInput as exc:
        comparison = str(exc)
    sites = library.competitor_sites(lib, brand_id)
    palettes = []
    for c in profile.competitors:
        if not (sites.get(c.name) or {}).get("palette"):
            palettes.append((c.name, f"Its palette is not known yet: choose Crawl site… and pick {c.name} as whose site it is."))
            continue
        try:
            palettes.append((c.name, library.palette_gap(lib, brand_id, c.name)))
        except BadInput as exc:
            palettes.append((c.name, str(exc)))
    return Competition(profile.name, [c.name for c in profile.competitors], comparison, palettes)


def swatch(colour: str, size: int = 22) -> QLabel:
    label = QLabel(toolTip=colour, accessibleName=f"Colour {colour}")
    label.setFixedSize(size, size)
    label.setStyleSheet(f"background: {colour}; border: 1px solid {theme().colors.border}; border-radius: 4px;")
    return label


def title(text: str) -> QLabel:
    return QLabel(text.upper(), objectName="PanelTitle")


def muted(text: str) -> QLabel:
    return QLabel(text, objectName="Muted", wordWrap=True)


class CompetitorsTab(RefreshWhenShown, QWidget):
    shown = Signal(object)  # the Competition shown (None when there is no brand)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.brand_id: int | None = None
        self.competition: Competition | None = None
        self._worker = LatestOnly(self)
        self._worker.finished.connect(self._show)
        self.empty = EmptyState("mdi6.sword-cross", "No competitors yet",
                                "Add competitors in the profile, then crawl their sites or drop their documents "
                                "with the documents filter set to them.")
        self.scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.scroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def set_brand(self, brand_id: int | None) -> None:
        self.brand_id = brand_id
        self.follow_change()

    def refresh(self) -> None:
        lib, brand_id = self.ctx.lib, self.brand_id
        self._worker.submit(lambda: compete(lib, brand_id) if brand_id is not None else None)

    def _show(self, competition: Competition | None) -> None:
        self.competition = competition
        if competition is None or not competition.competitors:
            self.stack.setCurrentWidget(self.empty)
            self.shown.emit(competition)
            return
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(12, 10, 12, 12)
        column.setSpacing(6)
        comparison = competition.comparison
        if isinstance(comparison, str):
            column.addWidget(muted(comparison))
        else:
            column.addWidget(QLabel(html.escape(comparison.summary), wordWrap=True))
            column.addSpacing(6)
            column.addWidget(title("Distinctive terms"))
            for brand in comparison.brands:
                column.addWidget(self._terms(brand))
            column.addSpacing(6)
            column.addWidget(title("Overlap"))
            for overlap in comparison.overlaps:
                column.addWidget(self._overlap(overlap))
        column.addSpacing(6)
        column.addWidget(title("Palettes"))
        for name, distance in competition.palettes:
            column.addWidget(self._palette(competition.brand, name, distance))
        column.addStretch(1)
        self.scroll.setWidget(page)  # the old page goes with it
        self.stack.setCurrentWidget(self.scroll)
        self.shown.emit(competition)

    def _terms(self, brand) -> QWidget:
        c = theme().colors
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(4)
        layout.addWidget(QLabel(f"<b>{html.escape(brand.brand)}</b>"))
        chips = QWidget()
        flow = FlowLayout(chips, spacing=4)
        for term in brand.terms:
            strong = term.score >= STRONG_Z
            chip = QLabel(term.term, toolTip=f"{term.term}: z-score {term.score:.1f}" + (" (clearly this brand's)" if strong else ""))
            chip.setStyleSheet(f"background: {c.accent if strong else c.raised}; color: {'white' if strong else c.text};"
                               f"border-radius: 9px; padding: 2px 8px;")
            flow.addWidget(chip)
        layout.addWidget(chips if brand.terms else muted(brand.summary))
        return box

    def _overlap(self, overlap) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 2, 0, 2)
        grid.addWidget(QLabel(f"{html.escape(overlap.a)} ↔ {html.escape(overlap.b)}"), 0, 0)
        bar = QProgressBar(maximum=100, value=round(overlap.similarity * 100), textVisible=False,
                           toolTip=overlap.summary, accessibleName=f"Overlap of {overlap.a} and {overlap.b}")
        bar.setFixedHeight(8)
        grid.addWidget(bar, 0, 1)
        grid.addWidget(QLabel(f"{overlap.similarity:.2f}"), 0, 2)
        grid.setColumnStretch(1, 1)
        shared = ", ".join(overlap.shared[:8])
        grid.addWidget(muted(f"Both say: {shared}" if shared else "They share no terms."), 1, 0, 1, 3)
        return box

    def _palette(self, brand: str, name: str, distance: PaletteDistance | str) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(4)
        layout.addWidget(QLabel(f"<b>{html.escape(brand)}</b> against <b>{html.escape(name)}</b>"))
        if isinstance(distance, str):
            layout.addWidget(muted(distance))
            return box
        pairs = QWidget()
        flow = FlowLayout(pairs, spacing=12)
        for match in distance.pairs:
            pair = QWidget(toolTip=f"{match.a} and {match.b}: ΔE {match.delta_e:.1f}")
            row = QHBoxLayout(pair)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(2)
            row.addWidget(swatch(match.a))
            row.addWidget(swatch(match.b))
            row.addWidget(QLabel(f" ΔE {match.delta_e:.1f}"))
            flow.addWidget(pair)
        for colour in distance.unmatched_a + distance.unmatched_b:
            flow.addWidget(swatch(colour))
        layout.addWidget(pairs)
        layout.addWidget(muted(distance.summary))
        return box
