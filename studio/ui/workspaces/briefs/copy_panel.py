"""The Briefs workspace's Copy tab: variants of each copy field of the brief's placements.

Generate writes them as a job (progress and Cancel here and in the jobs panel); each placement's
field gets a table of variants with a length bar (green within the field's limit, red over it)
and the compliance findings as icons whose tooltips say what is wrong and how to fix it. Ticked
variants are kept as the campaign's ad copy for their placements in one undoable step (Ctrl+Z).
"""

from __future__ import annotations

import qtawesome as qta
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.briefs.copywriting import (
    MAX_VARIANTS,
    Choice,
    CopyParams,
    CopyResult,
    FieldCopy,
    Variant,
    generate_copy,
    keep_copy,
)
from studio.core.briefs.sections import brief_summary
from studio.core.errors import BadInput
from studio.core.jobs import Job
from studio.ui.shell.theme import theme
from studio.ui.widgets.flow_layout import FlowLayout

PROVIDERS = (("auto", "Auto (a service with a key, else offline)"), ("offline", "Offline writer"),
             ("anthropic", "Anthropic"), ("openai", "OpenAI"))
KEEP, TEXT, LENGTH, CHECKS = range(4)
MEASURE = Qt.UserRole + 1  # on the Length item: (length, limit)
ICON_PX = 16


class LengthBarDelegate(QStyledItemDelegate):
    """length/limit as a bar: green within the limit, red over it, with the count beside it."""

    def paint(self, painter: QPainter, option, index) -> None:
        length, limit = index.data(MEASURE)
        colours = theme().colors
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        text_w = option.fontMetrics.horizontalAdvance("000/000") + 8
        track = QRect(option.rect.left() + 6, option.rect.center().y() - 3, max(10, option.rect.width() - text_w - 12), 6)
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor(colours.border))
        painter.drawRoundedRect(track, 3, 3)
        over = limit is not None and length > limit
        share = 1.0 if not limit or over else length / limit
        painter.setBrush(QColor(colours.danger if over else colours.success))
        painter.drawRoundedRect(QRect(track.left(), track.top(), max(3, round(track.width() * share)), track.height()), 3, 3)
        painter.setPen(QColor(colours.danger if over else colours.text))
        painter.drawText(QRect(track.right() + 6, option.rect.top(), text_w, option.rect.height()), Qt.AlignVCenter | Qt.AlignLeft,
                         f"{length}/{limit}" if limit else str(length))
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        return QSize(160, 24)


class FindingIcons(QWidget):
    """A variant's findings as icons, each with its message and hint as tooltip; a tick when it passes."""

    def __init__(self, variant: Variant, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(4)
        colours = theme().colors
        marks = [("mdi6.alert-circle" if f.severity == "error" else "mdi6.alert",
                  colours.danger if f.severity == "error" else colours.warning,
                  f"{f.message}\n{f.hint}".strip()) for f in variant.findings]
        if variant.over:
            over = f"{variant.length} characters; the limit is {variant.limit}. Shorten it, or pick another variant."
            marks.insert(0, ("mdi6.ruler", colours.danger, over))
        if not marks:
            marks = [("mdi6.check-circle", colours.success, "Within the limit, and no compliance findings.")]
        self.icons = []
        for name, colour, tip in marks:
            label = QLabel(toolTip=tip)
            label.setPixmap(qta.icon(name, color=colour).pixmap(ICON_PX, ICON_PX))
            layout.addWidget(label)
            self.icons.append(label)
        layout.addStretch(1)


class FieldTable(QTableWidget):
    """One placement's field: its variants, a Keep tick box each."""

    def __init__(self, field: FieldCopy, parent=None):
        super().__init__(len(field.variants), 4, parent)
        self.field = field
        self.setHorizontalHeaderLabels(["Keep", "Variant", "Length", "Checks"])
        self.verticalHeader().hide()
        self.setSelectionMode(QAbstractItemView.NoSelection)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setItemDelegateForColumn(LENGTH, LengthBarDelegate(self))
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        for column, mode in ((KEEP, QHeaderView.ResizeToContents), (TEXT, QHeaderView.Stretch),
                             (LENGTH, QHeaderView.Fixed), (CHECKS, QHeaderView.Fixed)):
            header.setSectionResizeMode(column, mode)
        self.setColumnWidth(LENGTH, 170)
        self.setColumnWidth(CHECKS, 110)
        for row, variant in enumerate(field.variants):
            keep = QTableWidgetItem()
            keep.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
            keep.setCheckState(Qt.Unchecked)
            self.setItem(row, KEEP, keep)
            text = QTableWidgetItem(variant.text)
            if variant.shortened_from:
                text.setToolTip(f"Shortened from: {variant.shortened_from}")
            self.setItem(row, TEXT, text)
            length = QTableWidgetItem()
            length.setData(MEASURE, (variant.length, variant.limit))
            self.setItem(row, LENGTH, length)
            self.setCellWidget(row, CHECKS, FindingIcons(variant))
        self.resizeRowsToContents()
        self.setFixedHeight(header.height() + sum(self.rowHeight(r) for r in range(self.rowCount())) + 2 * self.frameWidth())

    def chosen(self) -> list[Choice]:
        return [Choice(self.field.spec_id, self.field.field, v.text) for row, v in enumerate(self.field.variants)
                if self.item(row, KEEP).checkState() == Qt.Checked]


def field_title(field: FieldCopy) -> str:
    if field.limit is None:
        limit = "no length limit"
    else:
        limit = f"{'up to' if field.hard else 'shown up to'} {field.limit} characters"
        limit += ", wide characters count as two" if field.wide_counts_double else ""
    keep = f"keep {field.min_count}–{field.max_count}" if field.min_count > 1 else f"keep up to {field.max_count}"
    return f"{field.placement} · {field.label}  —  {limit}; {keep}"


class CopyPanel(QWidget):
    generated = Signal(object)  # the finished job (its result: a CopyResult)
    kept = Signal(object)  # OpResult of Keep selected

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.brief_id: int | None = None
        self.result: CopyResult | None = None
        self.job: Job | None = None
        self.tables: list[FieldTable] = []

        self.count = QSpinBox(minimum=1, maximum=MAX_VARIANTS, value=3, toolTip="Variants per copy field")
        self.provider = QComboBox(toolTip="Who writes the copy")
        for key, label in PROVIDERS:
            self.provider.addItem(label, key)
        self.generate_button = QPushButton(qta.icon("mdi6.creation", color=theme().colors.accent), "Generate")
        self.generate_button.clicked.connect(self.generate)
        self.cancel_button = QPushButton("Cancel", visible=False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(visible=False, maximum=1000, textVisible=False, maximumWidth=160)
        self.keep_button = QPushButton(qta.icon("mdi6.tray-arrow-down", color=theme().colors.text), "Keep selected",
                                       toolTip="Store the ticked variants as the campaign's ad copy for their placements (Ctrl+Z undoes it)")
        self.keep_button.clicked.connect(self.keep_selected)
        bar = FlowLayout(spacing=6)  # wraps in a narrow panel rather than widening it
        for widget in (QLabel("Variants"), self.count, self.provider, self.generate_button, self.cancel_button,
                       self.progress, self.keep_button):
            bar.addWidget(widget)
        self.status = QLabel(objectName="Muted", wordWrap=True)

        self.sections = QWidget()
        self.sections_layout = QVBoxLayout(self.sections)
        self.sections_layout.setContentsMargins(0, 0, 0, 0)
        self.empty = QLabel(objectName="EmptyText", alignment=Qt.AlignCenter, wordWrap=True)
        scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.NoFrame)
        scroll.setWidget(self.sections)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        ctx.bus.job_changed.connect(self._on_job_changed)
        self.set_brief(None)

    # ---- state ---------------------------------------------------------------------------------
    def set_brief(self, brief_id: int | None) -> None:
        """Show this brief's copy tab (its variants from an earlier Generate are dropped)."""
        if self.job is not None and brief_id != self.brief_id:
            self.cancel()
        self.brief_id, self.result = brief_id, None
        self._show_result()
        self._say("")

    def _update_actions(self) -> None:
        busy = self.job is not None
        self.generate_button.setEnabled(self.brief_id is not None and not busy)
        self.cancel_button.setVisible(busy)
        self.progress.setVisible(busy)
        self.keep_button.setEnabled(bool(self.tables) and not busy)

    def _say(self, text: str, state: str = "") -> None:
        self.status.setText(text)
        self.status.setProperty("state", state)
        self.status.style().polish(self.status)

    def _show_result(self) -> None:
        while self.sections_layout.count():
            widget = self.sections_layout.takeAt(0).widget()
            if widget is not None and widget is not self.empty:
                widget.deleteLater()
        self.tables = []
        self.empty.setVisible(self.result is None)  # out of the layout it would still show where it was
        if self.result is None:
            self.empty.setText("Pick a brief to write copy for its deliverables." if self.brief_id is None else
                               "Press Generate to write headline, description and other copy variants for each "
                               "placement in the brief's Deliverables, checked against each field's limit and the brand's rules.")
            self.sections_layout.addWidget(self.empty, 1)
        else:
            for field in self.result.fields:
                title = QLabel(field_title(field), objectName="PanelTitle")
                title.setContentsMargins(0, 12, 0, 2)
                table = FieldTable(field)
                self.sections_layout.addWidget(title)
                self.sections_layout.addWidget(table)
                if field.note:
                    self.sections_layout.addWidget(QLabel(f"Cut off: {field.note}", objectName="Muted", wordWrap=True))
                self.tables.append(table)
            for spec_id, why in self.result.skipped:
                self.sections_layout.addWidget(QLabel(f"No copy for {spec_id}: {why}.", objectName="Muted", wordWrap=True))
            self.sections_layout.addStretch(1)
        self._update_actions()

    # ---- generating ----------------------------------------------------------------------------
    def generate(self) -> Job | None:
        if self.brief_id is None or self.job is not None:
            return None
        try:
            title = brief_summary(self.ctx.lib, self.brief_id).title
        except BadInput as exc:
            self._say(str(exc), "bad")
            return None
        params = CopyParams(str(self.ctx.lib.root), self.brief_id, self.count.value(), self.provider.currentData())
        self.job = self.ctx.submit(generate_copy, params, title=f"Write copy for {title}", lib=self.ctx.lib, store=self.ctx.secrets)
        self.progress.setValue(0)
        self._say("Writing…", "busy")
        self._update_actions()
        return self.job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _on_job_changed(self, job: Job) -> None:
        if job is not self.job:
            return
        if not job.finished:
            self.progress.setValue(round((job.state.progress or 0) * 1000))
            if job.state.status:
                self._say(job.state.status, "busy")
            return
        self.job = None
        if job.status == "done":
            self.result = job.result
            self._show_result()
            variants = [v for f in self.result.fields for v in f.variants]
            failing = sum(not v.passed for v in variants)
            self._say(f"{len(variants)} variants for {len(self.result.fields)} fields by the {self.result.provider} writer"
                      + (f"; {failing} fail a limit or a check (hover the icons)." if failing else "; all pass."),
                      "bad" if failing else "ok")
        elif job.status == "failed":
            self._update_actions()
            self._say(f"No copy was written: {job.error}", "bad")
        else:
            self._update_actions()
            self._say("Cancelled; nothing was written.")
        self.generated.emit(job)

    # ---- keeping -------------------------------------------------------------------------------
    def chosen(self) -> list[Choice]:
        return [choice for table in self.tables for choice in table.chosen()]

    def keep_selected(self):
        if self.brief_id is None:
            return None
        try:
            result = keep_copy(self.ctx.lib, self.brief_id, self.chosen())
        except BadInput as exc:
            self._say(str(exc), "bad")
            return None
        kept = sum(len(texts) for texts in result.value.values())
        self._say(f"Kept {kept} variant{'s' if kept != 1 else ''} as the campaign's ad copy (Ctrl+Z undoes it).", "ok")
        self.kept.emit(result)
        return result
