"""The reviewer's window: a review bundle opened read-only, on any workstation. The list on the left
holds the bundle's briefs and assets; a brief shows its sections (Markdown rendered), deliverables,
versions and approvals, with its comment threads beside them; an asset shows its proxy.

Nothing here can change the sender's content: the only things the reviewer adds are comments
(new, or replies in a thread) and an Approve or Reject with a note per brief, which Save reply…
writes as a reply bundle (core's reply_bundle) for the sender to import. The reviewer's name is
asked once and remembered."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.briefs.sections import SECTIONS, STATUSES
from studio.core.errors import StudioError
from studio.core.specs.catalog import shipped_catalog
from studio.core.jobs import Job
from studio.core.review import (
    Bundle,
    BundleBrief,
    NewComment,
    NewDecision,
    open_bundle,
    reply_bundle,
)
from studio.ui.bridge import when_finished
from studio.ui.review.media_view import MediaView
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.widgets.brief_comments import comment_tree, section_picker, section_title

REVIEWER_KEY = "review/reviewer_name"
REPLY_FOLDER_KEY = "review/reply_folder"
UID_ROLE = Qt.UserRole + 1
TITLE_STYLE = "font-size: 20px; font-weight: 600;"
MARKDOWN = QTextDocument.MarkdownFeature(QTextDocument.MarkdownDialectGitHub.value | QTextDocument.MarkdownNoHTML.value)


def open_review(ctx, path, parent: QWidget) -> Job:
    """Open and check the bundle as a job (a big one takes a while to hash), then show it in its own
    window. A bundle that fails its checks opens nothing: the shell shows the failed job's message (the core's)."""
    path = Path(path)
    job = ctx.submit(lambda p, _state: open_bundle(p), path, title=f"Open review bundle {path.name}", lane="io")

    def on_finished(job: Job) -> None:
        if job.status == "done" and job.result.kind != "bundle":
            job.result.close()
            ctx.notify(f"{path.name} is a reviewer's reply, not a bundle to review; File ▸ Import Review Reply… merges it.", "error")
        elif job.status == "done":
            ReviewWindow(job.result, parent).show()

    when_finished(ctx.bus, job, on_finished, owner=parent)
    return job


def _placement_name(spec_id: str | None) -> str:
    """A deliverable's placement as people name it ("Meta Reels"), from the shipped spec catalog;
    an id this version does not know is shown as it is."""
    spec = shipped_catalog().entries.get(spec_id or "")
    return spec.name if spec else (spec_id or "a placement not named")


def brief_markdown(brief: BundleBrief) -> str:
    parts = [f"### {SECTIONS.get(key, key)}\n\n{text.strip()}\n" for key, text in brief.sections.items() if text.strip()]
    if brief.deliverables:
        parts.append("### Deliverables\n\n" + "\n".join(
            f"- {d.get('count', 1)} × {_placement_name(d.get('spec_id'))}" + (f" — {d['notes']}" if d.get("notes") else "")
            for d in brief.deliverables) + "\n")
    if brief.versions:
        parts.append("### Versions\n\n" + "\n".join(
            f"- v{v['number']} · {v.get('author') or 'unknown'} · {_when(v.get('created_at'))}" + (f" — {v['note']}" if v.get("note") else "")
            for v in brief.versions) + "\n")
    if brief.approvals:
        parts.append("### Decisions so far\n\n" + "\n".join(
            f"- {a.decision.capitalize()} by {a.approver} · {a.at:%d %b %Y %H:%M}" + (f" — {a.note}" if a.note else "") for a in brief.approvals) + "\n")
    return "\n".join(parts) or "_This brief has no text yet._"


def show_markdown(document: QTextDocument, text: str) -> None:
    """Rendered, with air above each heading (Qt's Markdown import sets none)."""
    document.setMarkdown(text, MARKDOWN)
    cursor = QTextCursor(document)
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel():
            cursor.setPosition(block.position())
            fmt = block.blockFormat()
            fmt.setTopMargin(0 if block == document.begin() else 16)
            fmt.setBottomMargin(6)
            cursor.setBlockFormat(fmt)
        block = block.next()


def _when(value) -> str:
    try:
        return f"{datetime.fromisoformat(value):%d %b %Y %H:%M}"
    except (TypeError, ValueError):
        return "?"


class BriefReview(QWidget):
    """One brief, read-only, with its threads and the reviewer's comments and decision."""

    changed = Signal()  # the reviewer added a comment or made a decision

    def __init__(self, parent=None):
        super().__init__(parent)
        self.brief: BundleBrief | None = None
        self.pending: list[NewComment] = []  # every brief's new comments, oldest first (set by the window)
        self.decisions: dict[int, NewDecision] = {}
        self.title = QLabel(objectName="ReviewTitle", wordWrap=True)
        self.title.setStyleSheet(TITLE_STYLE)
        self.meta = QLabel(objectName="Muted", wordWrap=True)
        self.document = QTextBrowser(openLinks=False, accessibleName="Brief")
        self.document.setReadOnly(True)
        self.document.document().setDocumentMargin(18)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(20, 14, 10, 10)
        column.addWidget(self.title)
        column.addWidget(self.meta)
        column.addWidget(self.document, 1)

        self.threads = comment_tree()
        self.threads.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.section = section_picker()
        self.text = QPlainTextEdit(accessibleName="New comment", placeholderText="Write a comment, or pick one and reply")
        self.text.setFixedHeight(70)
        self.text.textChanged.connect(self._update_buttons)
        self.comment_button = QPushButton(theme().icon("mdi6.comment-plus-outline"), "New comment")
        self.comment_button.clicked.connect(lambda: self.add_comment())
        self.reply_button = QPushButton(theme().icon("mdi6.reply-outline"), "Reply")
        self.reply_button.clicked.connect(lambda: self.reply())
        self.note = QLineEdit(accessibleName="Decision note", placeholderText="A note with your decision (optional)")
        self.approve_button = QPushButton(theme().icon("mdi6.check-decagram-outline"), "Approve")
        self.approve_button.clicked.connect(lambda: self.decide("approved"))
        self.reject_button = QPushButton(theme().icon("mdi6.close-octagon-outline"), "Reject")
        self.reject_button.clicked.connect(lambda: self.decide("rejected"))
        self.decision = QLabel(objectName="Muted", wordWrap=True)

        right = QWidget()
        side = QVBoxLayout(right)
        side.setContentsMargins(10, 14, 14, 10)
        side.addWidget(QLabel("COMMENTS", objectName="PanelTitle"))
        side.addWidget(self.threads, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("On"))
        row.addWidget(self.section, 1)
        side.addLayout(row)
        side.addWidget(self.text)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.reply_button)
        row.addWidget(self.comment_button)
        side.addLayout(row)
        side.addSpacing(12)
        side.addWidget(QLabel("YOUR DECISION", objectName="PanelTitle"))
        side.addWidget(self.note)
        row = QHBoxLayout()
        row.addWidget(self.approve_button)
        row.addWidget(self.reject_button)
        row.addStretch(1)
        side.addLayout(row)
        side.addWidget(self.decision)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def show_brief(self, brief: BundleBrief) -> None:
        self.brief = brief
        self.title.setText(brief.title)
        self.meta.setText(" · ".join(p for p in (brief.brand, brief.campaign, STATUSES.get(brief.status, brief.status)) if p))
        show_markdown(self.document.document(), brief_markdown(brief))
        self.refresh()

    def refresh(self) -> None:
        brief = self.brief
        current = self.current_uid()
        self.threads.clear()
        items: dict[str, QTreeWidgetItem] = {}
        mine = [c for c in self.pending if c.brief_id == brief.id]
        for uid, section, author, text, when, parent in (
                [(c.uid, c.section, c.author, c.text, f"{c.created_at:%d %b %H:%M}", c.parent_uid) for c in brief.comments]
                + [(c.uid, c.section, "You", c.text, "in your reply", c.parent_uid) for c in mine]):
            item = QTreeWidgetItem([f"{text}\n{author} · {when}", section_title(section)])
            item.setData(0, UID_ROLE, uid)
            item.setToolTip(0, text)
            if author == "You":
                font = item.font(0)
                font.setItalic(True)
                item.setFont(0, font)
            holder = items.get(parent)
            (holder.addChild(item) if holder is not None else self.threads.addTopLevelItem(item))
            items[uid] = item
        self.threads.expandAll()
        if current in items:
            self.threads.setCurrentItem(items[current])
        decision = self.decisions.get(brief.id)
        self.decision.setText(f"In your reply: {decision.decision}" + (f" — {decision.note}" if decision.note else "")
                              if decision else "Approve or reject the brief; your reply carries the decision.")
        self._update_buttons()

    def current_uid(self) -> str | None:
        item = self.threads.currentItem()
        return item.data(0, UID_ROLE) if item is not None else None

    def select(self, uid: str) -> None:
        for item in self.threads.findItems("", Qt.MatchContains | Qt.MatchRecursive):
            if item.data(0, UID_ROLE) == uid:
                self.threads.setCurrentItem(item)

    def add_comment(self) -> NewComment | None:
        return self._comment(self.section.currentData(), None)

    def reply(self) -> NewComment | None:
        uid = self.current_uid()
        if uid is None:
            return None
        parent = next(c for c in list(self.brief.comments) + self.pending if c.uid == uid)
        return self._comment(parent.section, uid)

    def _comment(self, section: str | None, parent_uid: str | None) -> NewComment | None:
        text = self.text.toPlainText().strip()
        if self.brief is None or not text:
            return None
        comment = NewComment(self.brief.id, text, section, parent_uid, str(uuid.uuid4()))
        self.pending.append(comment)
        self.text.clear()
        self.refresh()
        self.select(comment.uid)
        self.changed.emit()
        return comment

    def decide(self, decision: str) -> NewDecision | None:
        if self.brief is None:
            return None
        made = NewDecision(self.brief.id, decision, self.note.text().strip() or None)
        self.decisions[self.brief.id] = made  # the latest decision on a brief is the one the reply carries
        self.refresh()
        self.changed.emit()
        return made

    def _update_buttons(self) -> None:
        has_text = bool(self.text.toPlainText().strip())
        self.comment_button.setEnabled(has_text)
        self.reply_button.setEnabled(has_text and self.current_uid() is not None)


class ReviewWindow(QMainWindow):
    """A separate top-level window on one opened bundle; closing it removes the bundle's temporary files."""

    reply_saved = Signal(object)  # the BundleInfo of the reply written

    def __init__(self, bundle: Bundle, parent=None):
        super().__init__(parent, Qt.Window)
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.bundle = bundle
        self.saved = True  # nothing the reviewer added is unsaved
        self.setWindowTitle(f"Review — {bundle.path.name}")
        self.brief_view = BriefReview()
        self.brief_view.changed.connect(self._on_brief_changed)
        self.media = MediaView()
        self.asset_name = QLabel(objectName="ReviewTitle", wordWrap=True)
        self.asset_name.setStyleSheet(TITLE_STYLE)
        self.asset_meta = QLabel(objectName="Muted")
        asset_page = QWidget()
        column = QVBoxLayout(asset_page)
        column.setContentsMargins(20, 14, 20, 14)
        column.addWidget(self.asset_name)
        column.addWidget(self.asset_meta)
        column.addWidget(self.media, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.brief_view)
        self.pages.addWidget(asset_page)
        self.pages.addWidget(EmptyState("mdi6.file-search-outline", "Nothing to review", "The bundle holds no briefs or assets."))

        self.contents = QListWidget(accessibleName="Bundle contents")
        self.contents.setMinimumWidth(200)
        self.contents.currentItemChanged.connect(lambda item, _old: self._show(item))
        self._fill_contents()

        header = QWidget(objectName="PanelHeader")
        header.setAttribute(Qt.WA_StyledBackground)
        self.from_label = QLabel(f"Sent by {bundle.author} · {bundle.created_at.astimezone():%d %b %Y %H:%M} · read-only: "
                                 "add comments and decisions, then save your reply", objectName="Muted", wordWrap=True)
        self.pending_label = QLabel(objectName="Muted")
        self.save_button = QPushButton(theme().icon("mdi6.content-save-outline"), "Save reply…")
        self.save_button.setToolTip("Write your comments and decisions as a reply file to send back")
        self.save_button.clicked.connect(self.choose_reply_file)
        row = QHBoxLayout(header)
        row.setContentsMargins(14, 8, 14, 8)
        row.addWidget(self.from_label, 1)
        row.addWidget(self.pending_label)
        row.addWidget(self.save_button)

        splitter = QSplitter()
        splitter.addWidget(self.contents)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 1000])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.resize(1280, 800)
        self._update_pending()
        self.contents.setCurrentRow(1 if bundle.briefs else (len(bundle.briefs) + 2 if bundle.assets else -1))
        if not bundle.briefs and not bundle.assets:
            self.pages.setCurrentIndex(2)

    def _fill_contents(self) -> None:
        def heading(text: str) -> None:
            item = QListWidgetItem(text)
            item.setFlags(Qt.NoItemFlags)
            self.contents.addItem(item)

        heading(f"BRIEFS ({len(self.bundle.briefs)})")
        for brief in self.bundle.briefs:
            item = QListWidgetItem(theme().icon("mdi6.file-document-outline"), brief.title)
            item.setData(UID_ROLE, ("brief", brief.id))
            self.contents.addItem(item)
        heading(f"ASSETS ({len(self.bundle.assets)})")
        icons = {"image": "mdi6.image-outline", "video": "mdi6.movie-open-outline", "audio": "mdi6.music-note"}
        for n, asset in enumerate(self.bundle.assets):
            item = QListWidgetItem(theme().icon(icons.get(asset.kind, "mdi6.file-outline")), asset.name)
            item.setData(UID_ROLE, ("asset", n))
            self.contents.addItem(item)

    def _show(self, item: QListWidgetItem | None) -> None:
        what = item.data(UID_ROLE) if item is not None else None
        if what is None:
            return
        kind, key = what
        if kind == "brief":
            self.media.stop()
            self.brief_view.show_brief(self.bundle.brief(key))
            self.pages.setCurrentWidget(self.brief_view)
        else:
            asset = self.bundle.assets[key]
            self.asset_name.setText(asset.name)
            self.asset_meta.setText(f"{asset.kind.capitalize()} · original {asset.size_bytes / 1e6:.1f} MB · you see a smaller review copy")
            self.media.show_asset(asset)
            self.pages.setCurrentIndex(1)

    def show_item(self, kind: str, key) -> None:
        """Select a brief (by id) or an asset (by its index in the bundle) in the list."""
        for row in range(self.contents.count()):
            if self.contents.item(row).data(UID_ROLE) == (kind, key):
                self.contents.setCurrentRow(row)

    # ---- the reply --------------------------------------------------------------------------
    def _on_brief_changed(self) -> None:
        self.saved = False
        self._update_pending()

    def _update_pending(self) -> None:
        comments, decisions = len(self.brief_view.pending), len(self.brief_view.decisions)
        self.save_button.setEnabled(bool(comments or decisions))
        state = "saved" if self.saved else "not saved yet"
        self.pending_label.setText(f"Your reply: {_count(comments, 'comment')}, {_count(decisions, 'decision')} · {state}"
                                   if comments or decisions else "")

    def reviewer(self, ask: bool = True) -> str | None:
        """The reviewer's name: remembered, or asked once."""
        name = str(QSettings().value(REVIEWER_KEY, "") or "").strip()
        if name or not ask:
            return name or None
        name, ok = QInputDialog.getText(self, "Your name", "Your name, as the sender will see it on your comments and decisions:")
        if not ok or not name.strip():
            return None
        QSettings().setValue(REVIEWER_KEY, name.strip())
        return name.strip()

    def choose_reply_file(self) -> None:
        reviewer = self.reviewer()
        if reviewer is None:
            return
        folder = Path(str(QSettings().value(REPLY_FOLDER_KEY, "") or Path.home()))
        suggested = folder / f"{self.bundle.path.stem} reply {reviewer}.zip"
        dest, _ = QFileDialog.getSaveFileName(self, "Save your reply", str(suggested), "Review reply (*.zip)")
        if dest:
            QSettings().setValue(REPLY_FOLDER_KEY, str(Path(dest).parent))
            self.save_reply(Path(dest), reviewer)

    def save_reply(self, dest: Path, reviewer: str):
        """Write the reply (a small file: no media) and say where; a refusal says what is wrong."""
        try:
            info = reply_bundle(self.bundle, dest, reviewer=reviewer, comments=self.brief_view.pending, decisions=list(self.brief_view.decisions.values()))
        except (StudioError, OSError) as exc:
            self.statusBar().showMessage(f"The reply was not saved: {exc}")
            return None
        self.saved = True
        self._update_pending()
        self.statusBar().showMessage(f"Reply saved to {dest}; send it back to {self.bundle.author}.")
        self.reply_saved.emit(info)
        return info

    def closeEvent(self, event) -> None:
        if not self.saved and QMessageBox.question(
                self, "Close without saving your reply?", "Your comments and decisions are not saved in a reply yet. Close anyway?",
                QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Cancel) != QMessageBox.Discard:
            event.ignore()
            return
        self.media.stop()
        self.bundle.close()
        super().closeEvent(event)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
