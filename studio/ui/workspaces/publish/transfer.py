"""Schedule in and out: a bulk CSV import into the navigator's campaign (all rows or none; when a row
is bad, a report names each bad row and what is wrong with it), the schedule as CSV, and the
campaign's calendar as iCal for Outlook, Google Calendar or Apple Calendar. The file dialogs start
in the folder used last."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import BadInput
from studio.core.publishing import csv_io, ical

FOLDER_KEY = "publish/transfer_folder"
NO_CAMPAIGN = "Pick a campaign in the navigator first: the schedule is moved in and out one campaign at a time."


class ImportReportDialog(QDialog):
    """What an import did or why it did nothing, row by row (not modal: the user fixes the file beside it)."""

    def __init__(self, title: str, summary: str, rows: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.setMinimumSize(560, 320)
        self.summary = QLabel(summary, wordWrap=True)
        self.report = QPlainTextEdit(rows, readOnly=True, accessibleName="Import report")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)


def _pick(parent, title: str, name: str, filters: str, *, save: bool) -> Path | None:
    folder = QSettings().value(FOLDER_KEY, str(Path.home()))
    ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
    chosen, _ = ask(parent, title, str(Path(folder) / name), filters)
    return Path(chosen) if chosen else None


def _campaign(ctx) -> int | None:
    if ctx.current_campaign_id is None:
        ctx.notify(NO_CAMPAIGN, "warning")
    return ctx.current_campaign_id


def import_schedule(ctx, parent, path: Path | None = None) -> ImportReportDialog | None:
    """Import a CSV into the current campaign as draft posts, one undoable step. Returns the report
    dialog when there is something to read (bad rows, or notes on imported ones)."""
    campaign_id = _campaign(ctx)
    if campaign_id is None or (path := path or _pick(parent, "Import a schedule", "", "CSV files (*.csv)", save=False)) is None:
        return None
    QSettings().setValue(FOLDER_KEY, str(Path(path).parent))
    try:
        report = csv_io.import_csv(ctx.lib, Path(path), campaign_id).value
    except BadInput as exc:
        summary, _, rows = str(exc).partition("\n")
        dialog = ImportReportDialog("Nothing imported", summary, "\n".join(line.strip() for line in rows.splitlines()) or summary, parent)
        dialog.show()
        return dialog
    ctx.notify(f"{len(report.rows)} posts imported from {Path(path).name} as drafts. Edit ▸ Undo takes them back.")
    notes = [f"row {r.line}: {r.title}: {r.note}" for r in report.rows if r.note]
    if not notes:
        return None
    dialog = ImportReportDialog("Imported, with notes", f"{len(report.rows)} posts imported; check these:", "\n".join(notes), parent)
    dialog.show()
    return dialog


def export_schedule(ctx, parent, path: Path | None = None) -> Path | None:
    """The current campaign's schedule as CSV (the import reads it back)."""
    campaign_id = _campaign(ctx)
    if campaign_id is None or (path := path or _pick(parent, "Export the schedule", "schedule.csv", "CSV files (*.csv)", save=True)) is None:
        return None
    QSettings().setValue(FOLDER_KEY, str(Path(path).parent))
    try:
        count = csv_io.export_csv(ctx.lib, Path(path), campaign_id=campaign_id)
    except (BadInput, OSError) as exc:
        ctx.notify(f"The schedule was not exported: {exc}", "error")
        return None
    ctx.notify(f"{count} posts exported to {Path(path).name}.")
    return Path(path)


def export_ical(ctx, parent, path: Path | None = None) -> Path | None:
    """The current campaign's calendar as an iCal file (RFC 5545)."""
    campaign_id = _campaign(ctx)
    if campaign_id is None or (path := path or _pick(parent, "Export the calendar", "calendar.ics", "iCalendar files (*.ics)", save=True)) is None:
        return None
    QSettings().setValue(FOLDER_KEY, str(Path(path).parent))
    try:
        written = ical.export_ical(ctx.lib, campaign_id, Path(path))
    except (BadInput, OSError) as exc:
        ctx.notify(f"The calendar was not exported: {exc}", "warning")
        return None
    ctx.notify(f"The campaign's calendar is in {Path(written).name}; open it in any calendar app.")
    return Path(written)
