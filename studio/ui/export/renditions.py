"""The renditions a package will hold, each with its check status, tickable unless blocked,
and the selected one's findings with their fix hints."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSplitter,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from studio.core.export.plan import Rendition
from studio.ui.export.findings import findings_html, status_icon, status_of
from studio.ui.shell.theme import theme
from studio.ui.widgets.table_model import RowTableModel

COLUMNS = ("Status", "Placement", "Source", "Shape", "Size", "Length", "File name")
STATUS_ROLE = Qt.UserRole + 1


def status_text(r: Rendition) -> str:
    if r.blocked:
        return "Blocked"
    warnings = sum(f.severity == "warning" for f in r.findings)
    return f"{warnings} warning{'s' * (warnings > 1)}" if warnings else "Ready"


class RenditionsModel(RowTableModel):
    ticks_changed = Signal()
    columns = COLUMNS
    rows: list[Rendition]

    def __init__(self, parent=None):
        super().__init__(parent)
        self.placement_names: dict[str, str] = {}
        self.unticked: set[str] = set()  # paths the user unticked; kept across re-checks

    def set_renditions(self, renditions: list[Rendition], placement_names: dict[str, str]) -> None:
        self.placement_names = placement_names
        self.set_rows(renditions)
        self.ticks_changed.emit()

    def ticked(self) -> list[str]:
        """The paths to build: every rendition that is not blocked and not unticked."""
        return [r.path for r in self.rows if not r.blocked and r.path not in self.unticked]

    def _text(self, r: Rendition, column: int) -> str:
        return (
            status_text(r),
            self.placement_names.get(r.spec_id, r.spec_id),
            r.source_name + (" · reframed" if r.reframed else ""),
            r.ratio,
            f"{r.size[0]}×{r.size[1]}",
            f"{r.duration_s:.1f} s" if r.duration_s else "—",
            r.path.rsplit("/", 1)[-1],
        )[column]

    def cell(self, r: Rendition, column: int, role: int):
        if role == Qt.DisplayRole:
            return self._text(r, column)
        if role == Qt.CheckStateRole and column == 0:
            return Qt.Unchecked if r.blocked or r.path in self.unticked else Qt.Checked
        if role == Qt.DecorationRole and column == 0:
            return status_icon(status_of(r.findings))
        if role == Qt.ForegroundRole and r.blocked:
            return QColor(theme().colors.muted)
        if role == Qt.ToolTipRole:
            if r.blocked:
                errors = " ".join(f.message for f in r.findings if f.severity == "error")
                return f"Left out of the package: {errors} Fix this to include it."
            return r.path
        if role == STATUS_ROLE:
            return status_of(r.findings)
        return None

    def flags(self, index):
        flags = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if index.isValid() and index.column() == 0 and not self.rows[index.row()].blocked:
            flags |= Qt.ItemIsUserCheckable
        return flags

    def setData(self, index, value, role=Qt.EditRole) -> bool:
        if role != Qt.CheckStateRole or not index.isValid() or self.rows[index.row()].blocked:
            return False
        path = self.rows[index.row()].path
        if Qt.CheckState(value) == Qt.Checked:
            self.unticked.discard(path)
        else:
            self.unticked.add(path)
        self.dataChanged.emit(index, index, [Qt.CheckStateRole])
        self.ticks_changed.emit()
        return True


class RenditionsPane(QWidget):
    """The table above, the selected rendition's findings below."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = RenditionsModel(self)
        self.table = QTreeView(rootIsDecorated=False, uniformRowHeights=True, allColumnsShowFocus=True,
                               selectionBehavior=QAbstractItemView.SelectRows, selectionMode=QAbstractItemView.SingleSelection)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Renditions")
        header = self.table.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.Stretch)
        header.setSectionResizeMode(0, QHeaderView.Interactive)  # check box, icon and word: wider than Qt measures
        header.resizeSection(0, 140)
        self.details = QTextBrowser(openExternalLinks=True)
        self.details.setAccessibleName("Findings")
        self.details.setPlaceholderText("Select a rendition to see what its checks found, and how to fix it.")
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.model.modelReset.connect(self.details.clear)
        split = QSplitter(Qt.Vertical, childrenCollapsible=False)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def _on_table_current_changed(self, current, _previous) -> None:
        if not current.isValid():
            self.details.clear()
            return
        r = self.model.rows[current.row()]
        self.details.setHtml(findings_html(f"{r.path}  ({self.model.placement_names.get(r.spec_id, r.spec_id)})", r.findings,
                                           "Passes every check of its placement."))
