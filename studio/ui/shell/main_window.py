"""The main window: workspace rail, navigator, workspace area, jobs dock, status bar,
menus (undo/redo, settings, help) and notifications."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QLabel, QMainWindow, QMessageBox, QSplitter, QStackedWidget, QWidget
from sqlalchemy.exc import DBAPIError

from studio.core.changes import ChangeFeed, session_of
from studio.core.errors import ConflictError, StudioError
from studio.core.ops.tx import OpResult
from studio.ui.export.export_dialog import ExportDialog
from studio.ui.export.spec_browser import SpecBrowser
from studio.ui.shell import registry
from studio.ui.shell.help import ShortcutsDialog, show_about
from studio.ui.shell.jobs_panel import JobsPanel, StatusJobs
from studio.ui.shell.library_menu import LibraryMenu
from studio.ui.shell.navigator import NavigatorPanel
from studio.ui.shell.notifications import ToastHost
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.settings_dialog import SettingsDialog, apply_user_name
from studio.ui.shell.sidebar import WorkspaceSidebar
from studio.ui.shell.theme import theme
from studio.ui.widgets.conflict_dialog import ConflictDialog

log = logging.getLogger(__name__)
FEED_POLL_MS = 1500  # how often the window looks for what others wrote (a query of a few ms)


class MainWindow(QMainWindow):
    def __init__(self, ctx, workspaces: list[registry.WorkspaceSpec] | None = None, initial_workspace: str | None = None):
        super().__init__()
        self.ctx = ctx
        self.specs = {s.key: s for s in (registry.workspaces() if workspaces is None else workspaces)}
        self.views: dict[str, QWidget] = {}
        self.current_workspace: str | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.export_dialog: ExportDialog | None = None
        self.spec_browser: SpecBrowser | None = None
        self.close_box: QMessageBox | None = None
        self.conflict_dialog: ConflictDialog | None = None
        self._closing_confirmed = False
        self._reported_jobs: set[int] = set()
        self._splitter_state = None
        self.setObjectName("MainWindow")
        self.setWindowTitle(f"{ctx.lib.root.name} — Conext Studio[*]")
        self.resize(1400, 860)

        self.sidebar = WorkspaceSidebar(list(self.specs.values()))
        self.sidebar.workspace_selected.connect(self.show_workspace)
        self.sidebar.settings_requested.connect(self.open_settings)
        self.navigator = NavigatorPanel(ctx)
        self.navigator.setMinimumWidth(180)
        self.stack = QStackedWidget()
        self.empty_workspaces = EmptyState(
            "mdi6.view-dashboard-outline", "No workspaces installed",
            "This build of Conext Studio has no workspaces. Reinstall it, or install a build that includes them.",
        )
        self.stack.addWidget(self.empty_workspaces)
        self.splitter = QSplitter(Qt.Horizontal, childrenCollapsible=False)
        self.splitter.setHandleWidth(1)
        self.splitter.addWidget(self.navigator)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 1100])
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        row.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.toasts = ToastHost(central)

        self.jobs_panel = JobsPanel(ctx)
        self.jobs_dock = QDockWidget("Jobs", self, objectName="JobsDock")
        self.jobs_dock.setWidget(self.jobs_panel)
        self.jobs_dock.setTitleBarWidget(QWidget())  # the panel has its own header
        self.addDockWidget(Qt.RightDockWidgetArea, self.jobs_dock)
        self.resizeDocks([self.jobs_dock], [300], Qt.Horizontal)
        self.jobs_dock.hide()
        self.status_jobs = StatusJobs(ctx)
        self.status_jobs.open_panel.connect(self.show_jobs)
        self.statusBar().addWidget(QLabel(_where(ctx.lib), objectName="Muted"))
        self.statusBar().addPermanentWidget(self.status_jobs)
        self.statusBar().setSizeGripEnabled(False)

        self._build_actions()
        self._build_menus()
        ctx.bus.changed.connect(self._on_bus_changed)
        ctx.bus.job_changed.connect(self._on_bus_job_changed)
        ctx.bus.notification.connect(self.toasts.show_message)
        ctx.bus.conflict.connect(self.show_conflict)
        apply_user_name()
        self.change_feed = ChangeFeed(ctx.lib)
        self._feed_failing = False  # log a failing poll once, not every 1.5 s
        self.feed_timer = QTimer(self, interval=FEED_POLL_MS)
        self.feed_timer.timeout.connect(self.poll_changes)
        self.feed_timer.start()
        self._update_undo()
        self._restore(initial_workspace)

    # ---- actions and menus -----------------------------------------------------------------
    def _action(self, text, slot, shortcut=None, group="General", icon=None) -> QAction:
        action = QAction(text, self, triggered=slot)
        if shortcut is not None:
            action.setShortcuts(QKeySequence.keyBindings(shortcut) if isinstance(shortcut, QKeySequence.StandardKey) else [QKeySequence(shortcut)])
        if icon:
            action.setIcon(theme().icon(icon))
        action.setProperty("group", group)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_actions(self) -> None:
        self.library_menu = LibraryMenu(self)
        self.undo_action = self._action("Undo", self.undo, QKeySequence.Undo, "Edit", "mdi6.undo")
        self.redo_action = self._action("Redo", self.redo, QKeySequence.Redo, "Edit", "mdi6.redo")
        self.settings_action = self._action("Settings…", self.open_settings, "Ctrl+,", icon="mdi6.cog-outline")
        self.settings_action.setMenuRole(QAction.PreferencesRole)
        self.quit_action = self._action("Quit", self.close, QKeySequence.Quit)
        self.quit_action.setMenuRole(QAction.QuitRole)
        self.export_action = self._action("Export ad package…", self.open_export, "Ctrl+Shift+E", "File", "mdi6.package-variant-closed")
        self.spec_browser_action = self._action("Ad spec browser…", self.open_spec_browser, group="Help", icon="mdi6.book-open-variant")
        self.jobs_action = self._action("Jobs", self.toggle_jobs, "Ctrl+J", "View")
        self.jobs_action.setCheckable(True)
        self.jobs_dock.visibilityChanged.connect(self.jobs_action.setChecked)
        self.navigator_action = self._action("Navigator", self.toggle_navigator, "Ctrl+B", "View")
        self.navigator_action.setCheckable(True)
        self.navigator_action.setChecked(True)
        self.shortcuts_action = self._action("Keyboard Shortcuts", self.show_shortcuts, "Ctrl+/", "Help", "mdi6.keyboard-outline")
        self.about_action = self._action("About Conext Studio", lambda: show_about(self, self.ctx.lib.root), group="Help")
        self.about_action.setMenuRole(QAction.AboutRole)
        self.workspace_actions: dict[str, QAction] = {}
        for n, spec in enumerate(self.specs.values()):
            keys = spec.shortcut or (f"Ctrl+{n + 1}" if n < 9 else None)
            self.workspace_actions[spec.key] = self._action(spec.title, lambda _=False, k=spec.key: self.show_workspace(k), keys, "Workspaces", spec.icon)
        for action in (self.navigator.new_client_action, self.navigator.new_brand_action, self.navigator.new_campaign_action, self.navigator.rename_action):
            action.setProperty("group", "Clients")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addActions([self.navigator.new_client_action, self.navigator.new_brand_action, self.navigator.new_campaign_action])
        file.addSeparator()
        file.addActions(self.library_menu.actions())
        file.addSeparator()
        file.addAction(self.export_action)
        file.addSeparator()
        file.addAction(self.settings_action)
        file.addSeparator()
        file.addAction(self.quit_action)
        edit = bar.addMenu("&Edit")
        edit.addActions([self.undo_action, self.redo_action])
        edit.aboutToShow.connect(self._update_undo)
        view = bar.addMenu("&View")
        view.addActions(list(self.workspace_actions.values()))
        if self.workspace_actions:
            view.addSeparator()
        view.addActions([self.navigator_action, self.jobs_action])
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.shortcuts_action, self.spec_browser_action, self.about_action])

    # ---- workspaces ------------------------------------------------------------------------
    def show_workspace(self, key: str) -> bool:
        spec = self.specs.get(key)
        if spec is None:
            return False
        view = self.views.get(key)
        if view is None:
            try:
                view = spec.factory(self.ctx)
            except Exception:  # a broken workspace must not take the window down
                log.exception("workspace %s failed to open", key)
                view = EmptyState("mdi6.alert-circle-outline", f"{spec.title} could not open", "The details are in the log file.")
            self.views[key] = view
            self.stack.addWidget(view)
        self.stack.setCurrentWidget(view)
        self.current_workspace = key
        self.sidebar.set_current(key)
        return True

    # ---- undo, redo, modified state --------------------------------------------------------
    def undo(self) -> None:
        self._step(self.ctx.lib.undo.undo)

    def redo(self) -> None:
        self._step(self.ctx.lib.undo.redo)

    def _step(self, move) -> None:
        # The stack notifies the library's listeners, so bus.changed carries the OpResult to every view.
        try:
            result = move()
        except ConflictError:  # someone changed it after this step: show_conflict asks what to keep
            return
        except StudioError as exc:
            self.ctx.notify(str(exc), "warning")
            return
        if result is not None:
            self.statusBar().showMessage(result.label, 3000)
        self._update_undo()

    def _update_undo(self) -> None:
        stack = self.ctx.lib.undo
        undo_label, redo_label = stack.undo_label(), stack.redo_label()
        self.undo_action.setText(f"Undo {undo_label}" if undo_label else "Undo")
        self.redo_action.setText(f"Redo {redo_label}" if redo_label else "Redo")
        self.undo_action.setEnabled(undo_label is not None)
        self.redo_action.setEnabled(redo_label is not None)
        self.setWindowModified(not stack.is_clean())

    def _on_bus_changed(self, _result) -> None:
        self._update_undo()

    # ---- working together ------------------------------------------------------------------
    def poll_changes(self) -> None:
        """Broadcast what other sessions wrote since the last poll, as a local op's changes are."""
        try:
            changes = self.change_feed.poll()
        except DBAPIError:  # the server is away for a moment: the next poll catches up
            if not self._feed_failing:
                log.warning("polling the change feed failed", exc_info=True)
            self._feed_failing = True
            return
        self._feed_failing = False
        if changes is None:
            return
        others = [name for name in changes.actors if name != session_of(self.ctx.lib).name]
        label = f"Changes from {', '.join(others)}" if others else "Changes from your other windows and jobs"
        self.ctx.broadcast(OpResult(changes.tables, None, label))
        if others:
            self.statusBar().showMessage(label, 5000)

    def show_conflict(self, conflict: ConflictError) -> ConflictDialog:
        """One dialog at a time: a newer conflict replaces the one shown."""
        if self.conflict_dialog is not None:
            self.conflict_dialog.close()
            self.conflict_dialog.deleteLater()
        self.conflict_dialog = ConflictDialog(self.ctx, conflict, self)
        self.conflict_dialog.open()
        return self.conflict_dialog

    # ---- jobs and notifications ------------------------------------------------------------
    def _on_bus_job_changed(self, job) -> None:
        if job.status == "failed" and job.id not in self._reported_jobs:
            self._reported_jobs.add(job.id)
            self.ctx.notify(f"{job.title} failed. {job.error or 'The details are in the log file.'}", "error")

    def show_jobs(self) -> None:
        self.jobs_dock.show()
        self.jobs_dock.raise_()

    def toggle_jobs(self) -> None:
        self.jobs_dock.setVisible(not self.jobs_dock.isVisible())

    def toggle_navigator(self) -> None:
        self.navigator.setVisible(not self.navigator.isVisible())
        self.navigator_action.setChecked(self.navigator.isVisible())

    # ---- dialogs ---------------------------------------------------------------------------
    def open_settings(self, page: str | None = None) -> SettingsDialog:
        if self.settings_dialog is None:
            self.settings_dialog = SettingsDialog(self.ctx, self)
        if isinstance(page, str):
            self.settings_dialog.show_page(page)
        self.settings_dialog.show()
        self.settings_dialog.raise_()
        self.settings_dialog.activateWindow()
        return self.settings_dialog

    def open_export(self) -> ExportDialog:
        if self.export_dialog is None:
            self.export_dialog = ExportDialog(self.ctx, self)
        return self._present(self.export_dialog)

    def open_spec_browser(self) -> SpecBrowser:
        if self.spec_browser is None:
            self.spec_browser = SpecBrowser(self.ctx, self)
        return self._present(self.spec_browser)

    def _present(self, dialog):
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.show()
        return dialog

    # ---- remembered state ------------------------------------------------------------------
    def _restore(self, initial_workspace: str | None) -> None:
        settings = QSettings()
        if geometry := settings.value("window/geometry"):
            self.restoreGeometry(geometry)
        if state := settings.value("window/state"):
            self.restoreState(state)
        self._splitter_state = settings.value("window/splitter")
        campaign = settings.value("navigator/campaign")
        if campaign in (None, "") or not self.navigator.select("campaign", int(campaign)):
            self.navigator.select_first_campaign()  # a first start: the workspaces open on something
        wanted = initial_workspace or settings.value("workspace/last")
        if not self.show_workspace(str(wanted or "")) and self.specs:
            if initial_workspace:
                self.ctx.notify(f"There is no workspace called {initial_workspace!r}; known: {', '.join(self.specs)}.", "warning")
            self.show_workspace(next(iter(self.specs)))

    def save_state(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("workspace/last", self.current_workspace or "")
        settings.setValue("navigator/campaign", self.ctx.current_campaign_id if self.ctx.current_campaign_id is not None else "")
        settings.sync()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._splitter_state:  # once the window is laid out at its real size, or the sizes shrink
            QTimer.singleShot(0, self, self._restore_splitter)

    def _restore_splitter(self) -> None:
        if self._splitter_state:
            self.splitter.restoreState(self._splitter_state)
            self._splitter_state = None

    def closeEvent(self, event) -> None:
        running = self.status_jobs.active_jobs()
        if running and not self._closing_confirmed:
            event.ignore()
            self._ask_to_cancel(len(running))
            return
        for job in running:
            job.cancel()
        self.save_state()
        event.accept()

    def _ask_to_cancel(self, count: int) -> None:
        """Asked without exec(): Cancel Jobs closes the window again, confirmed."""
        self.close_box = box = QMessageBox(
            QMessageBox.Question, "Jobs are still running",
            f"{count} job{'s are' if count > 1 else ' is'} still running. Cancel {'them' if count > 1 else 'it'} and quit?",
            QMessageBox.Yes | QMessageBox.No, self,
        )
        box.button(QMessageBox.Yes).setText("Cancel Jobs and Quit")
        box.button(QMessageBox.No).setText("Keep Working")
        box.setDefaultButton(QMessageBox.No)

        def answered(button):
            if box.standardButton(button) == QMessageBox.Yes:
                self._closing_confirmed = True
                self.close()

        box.buttonClicked.connect(answered)
        box.open()


def _where(lib) -> str:
    """The status bar's note of which library this is."""
    if lib.server is None:
        return str(lib.root)
    state = "Offline copy (read-only) of the team library" if lib.read_only else "Team library"
    return f"{state} on {lib.server.key} · files in {lib.root}"
