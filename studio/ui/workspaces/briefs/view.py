"""The Briefs workspace: the brand's briefs | the chosen brief, section by section | Versions,
Comments, AI assist and Copy (ad copy variants for the deliverables, copy_panel).

Every write is a core op (one step of Edit ▸ Undo): typing autosaves through save_section and
merges into one step per burst; status changes, versions, restores, comments, accepted AI
suggestions and deliverables likewise. Export and AI assist run as jobs. Keys: Ctrl+S saves a
version, Ctrl+Enter accepts the AI suggestion, Esc rejects it."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.briefs.compositions import create_compositions_from_deliverables
from studio.core.briefs.export import export_brief
from studio.core.briefs.sections import (
    STATUSES,
    Brief,
    brief_summary,
    get_brief,
    list_briefs,
)
from studio.core.errors import BadInput, ConflictError, StudioError
from studio.core.jobs import Job
from studio.core.ops import briefs as ops
from studio.core.ops.brand_rules import campaign_brand
from studio.core.ops.tx import edited_from, row_versions
from studio.ui.bridge import when_finished
from studio.ui.review.export_dialog import ReviewExportDialog
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.widgets.flow_layout import FlowLayout
from studio.ui.widgets.refresh_when_shown import RefreshWhenShown
from studio.ui.workspaces.briefs.assist import AssistPanel
from studio.ui.workspaces.briefs.brief_list import BriefList, chip_style, scaled_font
from studio.ui.workspaces.briefs.comments_panel import CommentsPanel
from studio.ui.workspaces.briefs.copy_panel import CopyPanel
from studio.ui.workspaces.briefs.dialogs import ApproveBriefDialog
from studio.ui.workspaces.briefs.editor import BriefEditor
from studio.ui.workspaces.briefs.versions_panel import VersionsPanel

WATCHED = {"briefs", "brief_sections", "brief_versions", "brief_comments", "brief_approvals", "campaigns", "brands"}
EXPORT_FOLDER_KEY = "briefs/export_folder"
SPLITTER_KEY = "briefs/splitter"
EXPORTS = (("pdf", "PDF…", "PDF document (*.pdf)"), ("docx", "Word (DOCX)…", "Word document (*.docx)"),
           ("md", "Markdown…", "Markdown (*.md)"))


def latest_approvers(brief: Brief) -> list[str]:
    """Who signed the last approval (an approval names everyone at once: their rows are seconds apart)."""
    approved = [a for a in brief.approvals if a.decision == "approved"]
    if not approved:
        return []
    last = approved[-1].at
    return list(dict.fromkeys(a.approver for a in approved if (last - a.at).total_seconds() < 5))


def file_stem(title: str) -> str:
    return re.sub(r"[^\w\- ]+", "", title).strip() or "brief"


class BriefsView(RefreshWhenShown, QWidget):
    refreshed = Signal()
    export_finished = Signal(object)  # the export Job, done or failed

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.brand_id: int | None = None
        self.brief: Brief | None = None
        self.seen: dict = {}  # the shown brief's row version: a title rename is checked against it
        self.export_job: Job | None = None
        self._build()
        ctx.bus.changed.connect(self._on_bus_changed)
        ctx.bus.campaign_changed.connect(lambda _c: self.follow_change())
        self.refresh()

    # ---- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.list = BriefList()
        self.list.current_changed.connect(self.show_brief)
        self.list.new_requested.connect(lambda: self.new_brief())
        self.list.rename_requested.connect(self._rename)
        self.list.delete_requested.connect(self.delete_brief)

        self.editor = BriefEditor(self.ctx)
        self.editor.save_state.connect(self._on_save_state)
        self.versions = VersionsPanel(self.ctx)
        self.versions.before_write.connect(self.editor.flush)
        self.comments = CommentsPanel(self.ctx)
        self.assist = AssistPanel(self.ctx, self.editor)
        self.assist.suggestion_changed.connect(self._update_keys)
        for panel in (self.versions, self.comments):
            panel.error.connect(lambda text: self.say(text, "danger"))
        self.editor.section_focused.connect(self.comments.follow_section)
        self.editor.section_focused.connect(self.assist.follow_section)
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.addTab(self.versions, theme().icon("mdi6.history"), "Versions")
        self.tabs.addTab(self.comments, theme().icon("mdi6.comment-text-multiple-outline"), "Comments")
        self.tabs.addTab(self.assist, theme().icon("mdi6.creation-outline"), "AI assist")
        self.copy = CopyPanel(self.ctx)  # headline and description variants for the deliverables' placements
        self.tabs.addTab(self.copy, theme().icon("mdi6.format-text"), "Copy")
        self.tabs.setMinimumWidth(320)

        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self._header())
        self.no_brief = EmptyState("mdi6.file-document-edit-outline", "No briefs yet",
                                   "Start a brief for this brand: objective, audience, insight and the rest, with AI help from its research.")
        new = QPushButton(theme().icon("mdi6.plus"), "New brief")
        new.clicked.connect(lambda: self.new_brief())
        self.no_brief.add_button(new)
        self.centre_stack = QStackedWidget()
        self.centre_stack.addWidget(self.editor)
        self.centre_stack.addWidget(self.no_brief)
        column.addWidget(self.centre_stack, 1)

        self.splitter = QSplitter()
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([210, 700, 520])  # the right tabs (Versions … Copy) fit side by side
        state = QSettings().value(SPLITTER_KEY)
        if state is not None:
            self.splitter.restoreState(state)
        self.splitter.splitterMoved.connect(lambda *_: QSettings().setValue(SPLITTER_KEY, self.splitter.saveState()))

        self.no_campaign = EmptyState("mdi6.file-document-edit-outline", "Pick a campaign",
                                      "Choose a campaign in the navigator to see its brand's briefs and write new ones.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.no_campaign)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.save_version_action = self._key("Ctrl+S", lambda: self.versions.save_version())
        self.accept_action = self._key("Ctrl+Return", lambda: self.assist.accept())
        self.accept_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.reject_action = self._key("Esc", self.assist.reject)

    def _header(self) -> QWidget:
        header = QWidget(objectName="PanelHeader")
        header.setAttribute(Qt.WA_StyledBackground)
        self.title = QLineEdit(accessibleName="Brief title", placeholderText="Brief title", frame=False)
        size = scaled_font(self.title.font(), 1.5)
        pixels = size.pixelSize() if size.pixelSize() > 0 else round(size.pointSizeF() * 4 / 3)
        self.title.setStyleSheet(f"QLineEdit {{ font-size: {pixels}px; font-weight: 600; background: transparent; border: none; }}")
        self.title.editingFinished.connect(self._on_title_edited)
        self.chip = QLabel(accessibleName="Status")
        self.saved = QLabel(objectName="Muted")
        self.review_button = self._button("mdi6.send-outline", "Submit for review", "Ask for the brief to be reviewed",
                                          lambda: self.set_status("in_review"))
        self.approve_button = self._button("mdi6.check-decagram-outline", "Approve…", "Approve the brief, with who approved it",
                                           lambda: self.approve())
        self.draft_button = self._button("mdi6.pencil-outline", "Back to draft", "Take the brief back to draft to change it",
                                         lambda: self.set_status("draft"))
        self.export_button = QToolButton(text="Export", toolTip="Export the brief as PDF, Word or Markdown",
                                         popupMode=QToolButton.InstantPopup, toolButtonStyle=Qt.ToolButtonTextBesideIcon)
        self.export_button.setIcon(theme().icon("mdi6.export-variant"))
        menu = QMenu(self.export_button)
        for fmt, label, _filter in EXPORTS:
            menu.addAction(label, lambda f=fmt: self.export(f))
        self.export_button.setMenu(menu)
        self.compose_button = self._button("mdi6.movie-plus-outline", "Create compositions",
                                           "Make an empty composition of each deliverable's size in the brief's campaign",
                                           lambda: self.create_compositions())
        self.send_review_button = self._button("mdi6.email-fast-outline", "Send for review…",
                                               "Export a review bundle of this brief for a reviewer on another workstation",
                                               lambda: ReviewExportDialog(self.ctx, [self.brief.id], parent=self).show())
        self.message = QLabel(objectName="Muted", wordWrap=True, textFormat=Qt.RichText)
        self.message.hide()
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.chip)
        top.addSpacing(8)
        top.addWidget(self.saved)
        buttons = FlowLayout(spacing=6)  # wraps on a narrow window rather than widening it
        for w in (self.review_button, self.approve_button, self.draft_button, self.send_review_button, self.export_button,
                  self.compose_button):
            buttons.addWidget(w)
        layout = QVBoxLayout(header)
        layout.setContentsMargins(20, 10, 14, 8)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        return header

    def _button(self, icon: str, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(theme().icon(icon), text, toolTip=tip)
        button.clicked.connect(slot)
        return button

    def _key(self, key: str, slot) -> QAction:
        action = QAction(self, shortcut=QKeySequence(key), shortcutContext=Qt.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # ---- what is shown ---------------------------------------------------------------------
    def refresh(self) -> None:
        campaign_id = self.ctx.current_campaign_id
        try:
            self.brand_id = campaign_brand(self.ctx.lib, campaign_id) if campaign_id is not None else None
        except BadInput:  # the campaign was deleted
            self.brand_id = None
        if self.brand_id is None:
            self.stack.setCurrentWidget(self.no_campaign)
            self.list.show_briefs([], None, None)
        else:
            self.stack.setCurrentWidget(self.splitter)
            self.list.show_briefs(list_briefs(self.ctx.lib, brand_id=self.brand_id), campaign_id, self.brief.id if self.brief else None)
        self.refreshed.emit()

    def show_brief(self, brief_id: int | None) -> None:
        shown = self.brief.id if self.brief else None
        # Its version first, then its data: a colleague's save in between makes a needless question, never a lost title.
        seen = row_versions(self.ctx.lib, ("briefs", brief_id)) if brief_id is not None else {}
        try:
            self.brief = get_brief(self.ctx.lib, brief_id) if brief_id is not None else None
        except BadInput:  # deleted meanwhile
            self.brief = None
        brief = self.brief
        self.centre_stack.setCurrentWidget(self.editor if brief else self.no_brief)
        self.editor.load(brief)
        self.versions.set_brief(brief.id if brief else None)
        self.comments.set_brief(brief.id if brief else None)
        self.assist.set_brief(brief.id if brief else None)
        if (brief.id if brief else None) != self.copy.brief_id:  # its variants stay while the brief does
            self.copy.set_brief(brief.id if brief else None)
        typing = brief is not None and brief.id == shown and self.title.isModified()  # kept, with the version it was typed over
        if not typing:
            self.seen = seen
            if brief is not None and self.title.text() != brief.title:  # equal text set again would drop the selection
                self.title.setText(brief.title)
        status = brief.summary.status if brief else "draft"
        approvers = ", ".join(latest_approvers(brief)) if brief else ""
        self.chip.setText(STATUSES[status] + (f" · {approvers}" if status == "approved" and approvers else ""))
        self.chip.setStyleSheet(chip_style(status))
        self.review_button.setEnabled(brief is not None and status == "draft")
        self.approve_button.setEnabled(brief is not None and status != "approved")
        self.draft_button.setEnabled(brief is not None and status != "draft")
        self.export_button.setEnabled(brief is not None and self.export_job is None)
        self.compose_button.setEnabled(brief is not None)
        self.send_review_button.setEnabled(brief is not None)
        self.title.setEnabled(brief is not None)
        self._update_keys()

    def _on_bus_changed(self, result) -> None:
        if WATCHED & set(result.changes):
            self.follow_change()

    def say(self, text: str, level: str = "muted") -> None:
        """A line under the header: what happened, or what went wrong and what to do."""
        colour = getattr(theme().colors, level)
        self.message.setText(f"<span style='color:{colour}'>{escape(text)}</span>" if text else "")
        self.message.setVisible(bool(text))

    def _on_save_state(self, state: str, text: str) -> None:
        colour = {"error": theme().colors.danger, "saving": theme().colors.muted}.get(state, theme().colors.success)
        self.saved.setText(f"<span style='color:{colour}'>{'✓ ' if state == 'saved' else ''}{escape(text)}</span>")
        if state == "saved" and text != "Saved":  # the approved brief went back to review
            self.say(text, "warning")

    def _update_keys(self) -> None:
        busy_or_shown = self.assist.job is not None or self.assist.has_suggestion()
        self.accept_action.setEnabled(self.assist.accept_button.isEnabled())
        self.reject_action.setEnabled(busy_or_shown)
        self.save_version_action.setEnabled(self.brief is not None)

    # ---- the brief -------------------------------------------------------------------------
    def new_brief(self, title: str = "Untitled brief") -> int | None:
        if self.brand_id is None:
            return None
        try:
            brief_id = ops.create_brief(self.ctx.lib, self.brand_id, title, self.ctx.current_campaign_id).value
        except StudioError as exc:
            self.say(str(exc), "danger")
            return None
        self.refresh()
        self.list.select(brief_id)
        self.title.setFocus()
        self.title.selectAll()
        return brief_id

    def _rename(self, brief_id: int, title: str) -> None:
        try:
            with edited_from(self.seen):
                ops.rename_brief(self.ctx.lib, brief_id, title)
        except ConflictError:  # the main window shows their title and asks which to keep
            return
        except StudioError as exc:
            self.say(str(exc), "danger")
            self.refresh()  # the old name comes back

    def _on_title_edited(self) -> None:
        self.title.setModified(False)  # typed and handed on: reloads may show the stored title again
        if self.brief is not None and self.title.text().strip() != self.brief.title:
            self._rename(self.brief.id, self.title.text())
            if not self.title.text().strip():
                self.title.setText(self.brief.title)

    def delete_brief(self, brief_id: int) -> None:
        try:
            title = brief_summary(self.ctx.lib, brief_id).title
            ops.delete_brief(self.ctx.lib, brief_id)
        except StudioError as exc:
            self.say(str(exc), "danger")
            return
        self.ctx.notify(f"Deleted “{title}”; Edit ▸ Undo brings it back.")

    def set_status(self, status: str) -> None:
        if self.brief is None:
            return
        self.editor.flush()
        try:
            ops.set_brief_status(self.ctx.lib, self.brief.id, status)
        except StudioError as exc:
            self.say(str(exc), "danger")
            return
        self.say("")

    def approve(self) -> ApproveBriefDialog | None:
        if self.brief is None:
            return None
        self.editor.flush()
        dialog = ApproveBriefDialog(self.ctx, self.brief.id, self.brief.title, self)
        dialog.open()
        return dialog

    # ---- export and compositions -----------------------------------------------------------
    def export(self, fmt: str, path: str | Path | None = None) -> Job | None:
        """Write the brief as pdf, docx or md, as a job; without a path, ask where (the folder is remembered)."""
        if self.brief is None or self.export_job is not None:
            return None
        self.editor.flush()
        if path is None:
            folder = QSettings().value(EXPORT_FOLDER_KEY, str(Path.home()))
            name_filter = next(f for key, _label, f in EXPORTS if key == fmt)
            path, _ = QFileDialog.getSaveFileName(self, "Export brief", str(Path(folder) / f"{file_stem(self.brief.title)}.{fmt}"), name_filter)
            if not path:
                return None
        path = Path(path)
        QSettings().setValue(EXPORT_FOLDER_KEY, str(path.parent))
        lib, brief_id = self.ctx.lib, self.brief.id
        self.export_job = self.ctx.submit(lambda _p, _state: export_brief(lib, brief_id, path, fmt), title=f"Export brief {self.brief.title}")
        self.export_button.setEnabled(False)
        self.say(f"Exporting to {path}…")
        when_finished(self.ctx.bus, self.export_job, self._on_export_finished, owner=self)
        return self.export_job

    def _on_export_finished(self, job: Job) -> None:
        self.export_job = None
        self.export_button.setEnabled(self.brief is not None)
        if job.status == "done":
            self.say(f"Exported to {job.result}.", "success")
        elif job.status == "failed":
            self.say(f"The brief was not exported: {job.error}", "danger")
        else:
            self.say("The export was cancelled.")
        self.export_finished.emit(job)

    def create_compositions(self) -> None:
        if self.brief is None:
            return
        try:
            made = create_compositions_from_deliverables(self.ctx.lib, self.brief.id).value
        except StudioError as exc:
            self.say(str(exc), "danger")
            return
        n = len(made.ids)
        text = f"Made {n} composition{'s' if n != 1 else ''} in the Creative workspace."
        if made.skipped:
            text += " Skipped " + "; ".join(f"{spec}: {why}" for spec, why in made.skipped) + "."
        self.say(text, "warning" if made.skipped else "success")
        self.ctx.notify(text + " Edit ▸ Undo takes them back.")
