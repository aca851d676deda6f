"""The column-mapping dialog for reports from sources the studio does not know, and the import
report (what each file added, replaced and skipped, its days and totals, and every bad row)."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
)

from studio.core.analytics.ingest import FileReport
from studio.core.analytics.ingest.sources import BUILT_IN, split_currency
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.shell.theme import theme
from studio.ui.workspaces.analytics.data import Preview
from studio.ui.workspaces.analytics.metrics import fmt

TARGETS = (  # field, label, required
    ("date", "Date", True), ("campaign", "Campaign", True), ("spend", "Spend", True),
    ("impressions", "Impressions", False), ("clicks", "Clicks", False), ("conversions", "Conversions", False),
    ("conversion_value", "Conversion value", False), ("reach", "Reach", False), ("link_clicks", "Link clicks", False),
    ("video_views", "Video views", False), ("account", "Account", False), ("ad_group", "Ad group / ad set", False),
    ("ad", "Ad", False), ("currency", "Currency column", False),
)
PLATFORMS = ("snapchat", "pinterest", "reddit", "microsoft", "amazon", "x", *PLATFORM_NAMES)
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "CAD", "AUD", "JPY", "INR", "SEK", "NOK", "DKK", "PLN", "BRL", "MXN")
FROM_FILE = "From the file"


def _guess(field: str, header: list[str]) -> int | None:
    """The column whose header is the field's name or one of the built-in reports' spellings for it."""
    spellings = {field.replace("_", " ")} | {s for source in BUILT_IN for s in source.aliases.get(field, ())}
    for position, cell in enumerate(header):
        if split_currency(cell)[0] in spellings:
            return position
    return None


class MappingDialog(QDialog):
    """Which column holds what; accepted only when date, campaign, spend, a platform and a currency are known."""

    def __init__(self, preview: Preview, parent=None):
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(f"Map the columns of {Path(preview.path).name}")
        self.setMinimumWidth(760)
        intro = QLabel(f"<b>{html.escape(Path(preview.path).name)}</b> is not a report layout the studio knows. Say which "
                       "column holds what; the mapping is remembered for files with these columns.", wordWrap=True)
        self.table = QTableWidget(len(preview.rows), len(preview.header), accessibleName="Preview of the first rows")
        self.table.setHorizontalHeaderLabels(preview.header)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        for r, row in enumerate(preview.rows):
            for c, cell in enumerate(row[:len(preview.header)]):
                self.table.setItem(r, c, QTableWidgetItem(cell))
        self.table.setMaximumHeight(self.table.fontMetrics().height() * 11)
        grid = QGridLayout()
        self.combos: dict[str, QComboBox] = {}
        for i, (field, text, required) in enumerate(TARGETS):
            combo = QComboBox(accessibleName=text)
            combo.addItem("—", None)
            for position, cell in enumerate(preview.header):
                combo.addItem(str(cell), position)
            guess = _guess(field, preview.header)
            combo.setCurrentIndex(0 if guess is None else guess + 1)
            combo.currentIndexChanged.connect(self._update)
            self.combos[field] = combo
            grid.addWidget(QLabel(text + (" *" if required else "")), i // 2, (i % 2) * 2)
            grid.addWidget(combo, i // 2, (i % 2) * 2 + 1)
        self.platform = QComboBox(editable=True, accessibleName="Platform")
        self.platform.addItems(sorted(set(PLATFORMS)))
        self.platform.setCurrentText("")
        self.platform.lineEdit().setPlaceholderText("e.g. snapchat")
        self.platform.currentTextChanged.connect(self._update)
        self.currency = QComboBox(editable=True, accessibleName="Currency")
        self.currency.addItems([FROM_FILE, *CURRENCIES])
        self.currency.currentTextChanged.connect(self._update)
        form = QFormLayout()
        form.addRow("Platform *", self.platform)
        form.addRow("Currency *", self.currency)
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet(f"color: {theme().colors.warning};")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addLayout(grid)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._update()

    def choose(self, field: str, column: str) -> None:
        """Pick the column with this header for a field (what a person does with the combo)."""
        self.combos[field].setCurrentIndex(self.combos[field].findText(column))

    def missing(self) -> list[str]:
        """What must still be chosen, in words."""
        missing = [text.lower() for field, text, required in TARGETS if required and self.combos[field].currentData() is None]
        if not self.platform.currentText().strip():
            missing.append("the platform")
        currency = self.currency.currentText().strip().upper()
        if currency == FROM_FILE.upper() and self.combos["currency"].currentData() is None:
            missing.append("the currency (pick one, or map the file's currency column)")
        elif currency != FROM_FILE.upper() and not (len(currency) == 3 and currency.isalpha()):
            missing.append("a three-letter currency code such as EUR")
        chosen = [c.currentData() for c in self.combos.values() if c.currentData() is not None]
        if len(chosen) != len(set(chosen)):
            missing.append("one field per column (a column is chosen twice)")
        return missing

    def _update(self) -> None:
        missing = self.missing()
        self.problem.setText(("Still needed: " + "; ".join(missing) + ".") if missing else "")
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(not missing)

    def accept(self) -> None:
        if not self.missing():
            super().accept()

    def mapping(self) -> dict:
        """The mapping document ingest takes (and remembers): {"platform", "columns", "currency"}."""
        header = self.preview.header
        document = {"platform": self.platform.currentText().strip().lower(),
                    "columns": {f: header[c.currentData()] for f, c in self.combos.items() if c.currentData() is not None}}
        currency = self.currency.currentText().strip().upper()
        if currency != FROM_FILE.upper():
            document["currency"] = currency
        return document


def report_html(reports: list[FileReport], limit: int = 200) -> str:
    """What each file did, in words and tables; at most `limit` bad rows per file are listed."""
    c = theme().colors
    parts = []
    for r in reports:
        name = html.escape(Path(r.file).name)
        if r.imported:
            head = (f"<h3 style='color:{c.success}'>✓ {name}</h3><p>{html.escape(r.source or '')}"
                    f"{' · sheet ' + html.escape(r.sheet) if r.sheet else ''} · {r.rows_added:,} rows added, "
                    f"{r.rows_replaced:,} replaced, {r.rows_unchanged:,} already there, {len(r.skipped):,} skipped"
                    f"{f', {r.rows_merged:,} breakdown rows added into their day' if r.rows_merged else ''} · "
                    f"{r.date_from} to {r.date_to}</p>")
            rows = "".join(f"<tr><td>{PLATFORM_NAMES.get(t['platform'], t['platform'])}</td><td>{t['currency']}</td>"
                           + "".join(f"<td align='right'>{fmt(m, t[m], t['currency'])}</td>"
                                     for m in ("spend", "impressions", "clicks", "conversions", "conversion_value")) + "</tr>"
                           for t in r.totals)
            head += ("<table cellpadding='3'><tr><th>Platform</th><th>Currency</th><th>Spend</th><th>Impressions</th>"
                     f"<th>Clicks</th><th>Conversions</th><th>Value</th></tr>{rows}</table>")
        else:
            why = r.error or f"{len(r.errors):,} rows cannot be read, so nothing of this file was imported:"
            head = f"<h3 style='color:{c.danger}'>✗ {name}</h3><p>{html.escape(why)}</p>"
        problems = [f"line {e['line']}, {html.escape(str(e.get('column') or ''))}: {html.escape(str(e['why']))}" for e in r.errors]
        problems += [f"line {s['line']} skipped: {html.escape(str(s['reason']))}" for s in r.skipped]
        if problems:
            more = f"<li>… and {len(problems) - limit:,} more</li>" if len(problems) > limit else ""
            head += "<ul>" + "".join(f"<li>{p}</li>" for p in problems[:limit]) + more + "</ul>"
        parts.append(head)
    return "".join(parts)


class ImportReportDialog(QDialog):
    def __init__(self, reports: list[FileReport], parent=None):
        super().__init__(parent)
        self.reports = reports
        done = sum(r.imported for r in reports)
        self.setWindowTitle(f"Imported {done} of {len(reports)} report{'s' if len(reports) != 1 else ''}")
        self.resize(720, 460)
        self.text = QTextBrowser()
        self.text.setHtml(report_html(reports))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
