"""Approvals for the post picked on the calendar: the campaign's reviewers and where each stands,
the post's decisions and comments in order, and Submit / Approve / Reject (with a note) /
Schedule. The core decides what is allowed; when it refuses, its message is shown here."""

from __future__ import annotations

import html

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from studio.core.db.models import CampaignReviewer
from studio.core.errors import StudioError
from studio.core.ops import publishing as ops
from studio.core.publishing.calendar import get_post, post_history
from studio.ui.shell.theme import theme

NAME_KEY = "publish/reviewer_name"  # who is deciding or commenting at this workstation
REFRESH_ON = {"posts", "post_decisions", "post_comments", "campaign_reviewers", "publications"}
STATUS_TEXT = {"draft": "Draft", "in_review": "In review", "approved": "Approved", "scheduled": "Scheduled",
               "cancelled": "Cancelled", "publishing": "Publishing", "published": "Published", "failed": "Failed",
               "waiting": "Waiting to publish"}


class ApprovalsPanel(QWidget):
    error_shown = Signal(str)  # a refusal from the core, as shown under the buttons

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.post = None  # the PostView shown
        self.title = QLabel(wordWrap=True)
        self.status = QLabel(objectName="Muted")
        self.reviewers = QLineEdit(accessibleName="Reviewers", placeholderText="Names, separated by commas")
        self.reviewers.returnPressed.connect(self.save_reviewers)
        self.save_reviewers_button = QPushButton("Set")
        self.save_reviewers_button.setToolTip("Make these the people whose approval the campaign's posts need")
        self.save_reviewers_button.clicked.connect(self.save_reviewers)
        self.standing = QLabel(wordWrap=True)  # where each reviewer stands on this post
        self.history = QListWidget(accessibleName="Decisions and comments")
        self.history.setWordWrap(True)
        self.name = QComboBox(accessibleName="Your name", editable=True)
        self.name.lineEdit().setPlaceholderText("Your name")
        self.name.setEditText(QSettings().value(NAME_KEY, ""))
        self.note = QPlainTextEdit(accessibleName="Note", placeholderText="A note with the decision, or a comment")
        self.note.setFixedHeight(64)
        self.buttons = {
            "submit": QPushButton(theme().icon("mdi6.send-outline"), "Submit"),
            "approve": QPushButton(theme().icon("mdi6.check"), "Approve"),
            "reject": QPushButton(theme().icon("mdi6.close"), "Reject"),
            "comment": QPushButton(theme().icon("mdi6.comment-plus-outline"), "Comment"),
            "schedule": QPushButton(theme().icon("mdi6.calendar-check"), "Schedule"),
        }
        self.buttons["submit"].setToolTip("Send the post to the campaign's reviewers")
        self.buttons["schedule"].setToolTip("Put the approved post in the publisher's queue for its time")
        for key, button in self.buttons.items():
            button.clicked.connect(getattr(self, key))
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(f"color: {theme().colors.danger}")
        self.empty = QLabel("Pick a post on the calendar to see its approvals.", objectName="EmptyText", wordWrap=True)
        self.body = QWidget()
        self._build()
        ctx.bus.changed.connect(lambda result: self.refresh() if REFRESH_ON & set(result.changes) else None)
        self.set_post(None)

    def _build(self) -> None:
        reviewers = QHBoxLayout()
        reviewers.addWidget(self.reviewers, 1)
        reviewers.addWidget(self.save_reviewers_button)
        as_row = QHBoxLayout()
        as_row.addWidget(QLabel("As"))
        as_row.addWidget(self.name, 1)
        decide = QHBoxLayout()
        for key in ("submit", "approve", "reject", "comment"):
            decide.addWidget(self.buttons[key])
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.title)
        body.addWidget(self.status)
        body.addSpacing(4)
        body.addWidget(QLabel("Reviewers", objectName="Muted"))
        body.addLayout(reviewers)
        body.addWidget(self.standing)
        body.addWidget(self.history, 1)
        body.addLayout(as_row)
        body.addWidget(self.note)
        body.addLayout(decide)
        body.addWidget(self.buttons["schedule"])
        body.addWidget(self.error)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(QLabel("APPROVALS", objectName="PanelTitle"))
        layout.addWidget(self.empty)
        layout.addWidget(self.body, 1)

    def set_post(self, post_id: int | None) -> None:
        self.error.clear()
        self.post = get_post(self.ctx.lib, post_id) if post_id is not None else None
        self.refresh()

    def refresh(self) -> None:
        if self.post is not None:
            try:
                self.post = get_post(self.ctx.lib, self.post.id)
            except StudioError:  # deleted meanwhile (or its creation undone)
                self.post = None
        self.empty.setVisible(self.post is None)
        self.body.setVisible(self.post is not None)
        if self.post is None:
            return
        post = self.post
        reviewers, pending = self._reviewers(post)
        shown = post.publication_status or post.status
        when = post.local_time.strftime("%a %d %b %H:%M") if post.local_time else "not on the calendar"
        self.title.setText(f"<b>{html.escape(post.title)}</b><br>{html.escape(post.channel_name)} · {when}")
        self.status.setText(STATUS_TEXT.get(shown, shown))
        if not self.reviewers.hasFocus():
            self.reviewers.setText(", ".join(reviewers))
        self._show_standing(post, reviewers, pending)
        self._show_history(post_history(self.ctx.lib, post.id))
        typed = self.name.currentText()
        self.name.blockSignals(True)
        self.name.clear()
        self.name.addItems(reviewers)
        self.name.setEditText(typed)
        self.name.blockSignals(False)
        self.buttons["schedule"].setEnabled(post.status == "approved" and post.publication_status is None)

    def _reviewers(self, post) -> tuple[list[str], list[str]]:
        """The campaign's reviewers, and those whose approval of this round is still missing."""
        with self.ctx.lib.read() as conn:
            names = list(conn.execute(select(CampaignReviewer.name).where(CampaignReviewer.campaign_id == post.campaign_id)
                                      .order_by(CampaignReviewer.name)).scalars())
            return names, ops.approvals_pending(conn, post)

    def _show_standing(self, post, reviewers: list[str], pending: list[str]) -> None:
        c = theme().colors
        if not reviewers:
            self.standing.setText(f"<span style='color:{c.muted}'>No reviewers named: one approval is enough.</span>")
            return
        in_round = post.status in ("in_review", "approved", "scheduled")
        parts = [f"<span style='color:{c.muted}'>… {html.escape(name)}</span>" if name in pending or not in_round
                 else f"<span style='color:{c.success}'>✓ {html.escape(name)}</span>" for name in reviewers]
        self.standing.setText("&nbsp;&nbsp;".join(parts))

    def _show_history(self, entries) -> None:
        self.history.clear()
        for e in entries:
            if e.kind == "decision":
                who = f"{'✓ Approved' if e.decision == 'approved' else '✗ Rejected'} by {e.author}"
            else:
                who = f"💬 {e.author}"
            self.history.addItem(QListWidgetItem(f"{who} · {e.at:%d %b %H:%M}" + (f"\n{e.text}" if e.text else "")))
        if not entries:
            self.history.addItem(QListWidgetItem("No decisions or comments yet."))

    # ---- actions: each one core op; a refusal is shown, nothing changes -------------------------
    def _run(self, op) -> bool:
        self.error.clear()
        if self.post is None:
            return False
        try:
            op()
        except StudioError as exc:
            self.error.setText(str(exc))
            self.error_shown.emit(str(exc))
            return False
        self.refresh()
        return True

    def _who(self) -> str:
        name = self.name.currentText().strip()
        if name:
            QSettings().setValue(NAME_KEY, name)
        return name

    def save_reviewers(self) -> bool:
        names = [n.strip() for n in self.reviewers.text().split(",") if n.strip()]
        return self._run(lambda: ops.set_reviewers(self.ctx.lib, self.post.campaign_id, names))

    def submit(self) -> bool:
        return self._run(lambda: ops.submit_post(self.ctx.lib, self.post.id))

    def _decide(self, decision: str) -> bool:
        note = self.note.toPlainText().strip() or None
        if self._run(lambda: ops.decide_post(self.ctx.lib, self.post.id, self._who(), decision, note)):
            self.note.clear()
            return True
        return False

    def approve(self) -> bool:
        return self._decide("approved")

    def reject(self) -> bool:
        return self._decide("rejected")

    def comment(self) -> bool:
        if self._run(lambda: ops.add_post_comment(self.ctx.lib, self.post.id, self._who(), self.note.toPlainText())):
            self.note.clear()
            return True
        return False

    def schedule(self) -> bool:
        if self._run(lambda: ops.schedule_post(self.ctx.lib, self.post.id)):
            self.ctx.notify(f"{self.post.title} is scheduled; the publisher sends it at its time.")
            return True
        return False
