"""What every view gets: the open library, the job runner, the change bus and notifications.
Views never hold ORM sessions; they call core ops and queries with ctx.lib."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal

from studio.core.changes import session_of
from studio.core.jobs import Job, JobRunner
from studio.core.library import Library
from studio.core.ops.tx import OpResult

ASSET_IDS_MIME = "application/x-studio-asset-ids"  # assets dragged between views: a JSON list of ids
COMPOSITION_IDS_MIME = "application/x-studio-composition-ids"  # compositions dragged onto the calendar: a JSON list of ids
KATA_RECIPE_MIME = "application/x-studio-kata-recipe"  # a saved Kata placement dragged onto a timeline: its recipe id


class ChangeBus(QObject):
    """Re-emits core events on the GUI thread (core calls listeners from any thread)."""

    changed = Signal(object)  # OpResult: a committed op (its .changes names the tables)
    job_changed = Signal(object)  # Job: queued / progress / finished
    notification = Signal(str, str)  # level ("info" | "warning" | "error"), text
    campaign_changed = Signal(object)  # int | None: the campaign picked in the navigator
    # ConflictError: an op or an undo lost a race with someone else's save. Every one lands here,
    # whichever view ran the op; the main window asks the user what to keep.
    conflict = Signal(object)

    def __init__(self, lib: Library, runner: JobRunner):
        super().__init__()
        # Queued connections carry the calls from worker threads to this object's (GUI) thread.
        self._changed_from_any_thread.connect(self.changed.emit, Qt.QueuedConnection)
        self._job_from_any_thread.connect(self.job_changed.emit, Qt.QueuedConnection)
        self._conflict_from_any_thread.connect(self.conflict.emit, Qt.QueuedConnection)
        lib.subscribe(self._changed_from_any_thread.emit)
        runner.subscribe(self._job_from_any_thread.emit)
        session_of(lib).on_conflict(self._conflict_from_any_thread.emit)

    _changed_from_any_thread = Signal(object)
    _job_from_any_thread = Signal(object)
    _conflict_from_any_thread = Signal(object)


@dataclass
class StudioContext:
    lib: Library
    runner: JobRunner
    bus: ChangeBus
    secrets: object | None = None
    next_library: Path | None = None  # set by File ▸ Open Library…: the studio reopens on it  # studio.core.secrets.SecretStore, created lazily by the settings dialog
    current_campaign_id: int | None = None  # the navigator's selection; workspaces filter by it
    publisher: object | None = None  # studio.ui.background_publisher.BackgroundPublisher, made by the app

    def set_campaign(self, campaign_id: int | None) -> None:
        if campaign_id != self.current_campaign_id:
            self.current_campaign_id = campaign_id
            self.bus.campaign_changed.emit(campaign_id)

    def notify(self, text: str, level: str = "info") -> None:
        self.bus.notification.emit(level, text)

    def broadcast(self, result: OpResult) -> None:
        """For changes made outside this process (a worker process's import, another person's save
        seen by the change feed): tell the views."""
        self.bus.changed.emit(result)

    def submit(self, fn, params=None, *, title: str, lane: str = "io", **kwargs) -> Job:
        return self.runner.submit(fn, params, title=title, lane=lane, **kwargs)
