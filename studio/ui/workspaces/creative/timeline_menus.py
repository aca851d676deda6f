"""The timeline's context menus (track header, clip, transition, keyframe), the inline
track-name editor and the question before a track with clips is deleted.

Shortcut hints after a tab ("Delete\tDel") only label the entries: the keys themselves are
CreativeActions', so they work without the menu.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QMessageBox

from studio.core.timeline import edits
from studio.core.timeline.model import MediaClip
from studio.ui.shell.theme import theme
from studio.ui.workspaces.creative.timeline_model import TRACK_NAMES, TRANSITION_NAMES
from studio.ui.workspaces.creative.timeline_paint import ARROWS, EASING_NAMES, KIND_ICONS, transition_icon


def _entry(menu: QMenu, text: str, slot, icon: str = "", *, checked: bool | None = None, enabled: bool = True, tip: str = ""):
    action = menu.addAction(text)
    if icon:
        action.setIcon(theme().icon(icon))
    if checked is not None:
        action.setCheckable(True)
        action.setChecked(checked)
    action.setEnabled(enabled)
    action.setToolTip(tip or text.split("\t")[0])
    action.triggered.connect(lambda _checked=False: slot())
    return action


def _menu(view) -> QMenu:
    menu = QMenu(view)
    menu.setToolTipsVisible(True)
    return menu


def add_track_entries(menu: QMenu, view) -> None:
    for kind, name in TRACK_NAMES.items():
        _entry(menu, f"Add {name.lower()} track", lambda kind=kind: view.add_track(kind), KIND_ICONS[kind])


def track_menu(view, track) -> QMenu:
    """Adding tracks; and for the track under the pointer (if any): rename, move, lanes, delete."""
    menu = _menu(view)
    add_track_entries(menu, view)
    if track is None:
        return menu
    i = view.row_of_track(track.id)
    group = view.group_rows(i)
    menu.addSeparator()
    _entry(menu, "Rename…", lambda: view.start_rename(track.id), "mdi6.rename-outline", tip="Rename the track (or double-click its name)")
    _entry(menu, "Move up", lambda: view.move_track(track.id, -1), "mdi6.arrow-up", enabled=group.index(i) > 0)
    _entry(menu, "Move down", lambda: view.move_track(track.id, 1), "mdi6.arrow-down", enabled=group.index(i) < len(group) - 1)
    _entry(menu, "Keyframe lanes\tU", lambda: view.toggle_lanes({track.id}), checked=track.id in view.expanded)
    menu.addSeparator()
    _entry(menu, "Delete track", lambda: view.delete_track(track.id), "mdi6.trash-can-outline", enabled=not track.locked,
           tip="Unlock the track to delete it" if track.locked else "Delete the track and its clips (Edit ▸ Undo brings them back)")
    return menu


def clip_menu(view, track, clip, frame: float) -> QMenu:
    menu = _menu(view)
    if clip.id in view.offline and isinstance(clip, MediaClip):
        _entry(menu, "Relink media…", lambda: view.relink_requested.emit(clip.id), "mdi6.link-variant",
               tip="Point the clip at its media file again")
        menu.addSeparator()
    cut = view.cut_near(track, clip, frame)
    transitions = menu.addMenu(theme().icon("mdi6.transition"), "Add transition")
    transitions.setToolTipsVisible(True)
    for kind, name in TRANSITION_NAMES.items():
        _entry(transitions, name + ("\tCtrl+D" if kind == "crossfade" else ""), lambda kind=kind: view.add_transition(cut, kind),
               transition_icon(kind, "left"))
    transitions.setEnabled(cut is not None and not track.locked)
    transitions.menuAction().setToolTip("At the cut nearest the pointer" if cut else "No clip meets this one at a cut on its track")
    _entry(menu, "Keyframe lanes\tU", lambda: view.toggle_lanes({track.id}), checked=track.id in view.expanded)
    return menu


def transition_menu(view, tr) -> QMenu:
    c = view.controller
    menu = _menu(view)
    kinds = QActionGroup(menu)
    for kind, name in TRANSITION_NAMES.items():
        kinds.addAction(_entry(menu, name, lambda kind=kind: c.update_transition(tr.a, tr.b, kind=kind), checked=tr.kind == kind))
    direction = menu.addMenu("Direction")
    moves = QActionGroup(direction)
    for way, arrow in ARROWS.items():
        moves.addAction(_entry(direction, f"{arrow}  {way.capitalize()}", lambda way=way: c.update_transition(tr.a, tr.b, direction=way),
                               checked=tr.direction == way))
    direction.setEnabled(tr.kind in ("slide", "wipe"))
    menu.addSeparator()
    _entry(menu, "Duration…", lambda: ask_transition_duration(view, tr), "mdi6.timer-outline")
    _entry(menu, "Shorter by a frame\t[", lambda: view.nudge_transition(-1))
    _entry(menu, "Longer by a frame\t]", lambda: view.nudge_transition(1))
    menu.addSeparator()
    _entry(menu, "Remove transition\tDel", view.delete_selection, "mdi6.trash-can-outline")
    return menu


def keyframe_menu(view, clip, prop: str, frame: int) -> QMenu:
    menu = _menu(view)
    key = next(k for k in edits.animated(clip, prop).keyframes if k.frame == frame)
    easings = QActionGroup(menu)
    for easing, name in EASING_NAMES.items():
        easings.addAction(_entry(menu, name, lambda easing=easing: view.controller.set_keyframe_easing(clip.id, prop, frame, easing),
                                 checked=key.easing == easing, tip=f"How the value leaves this keyframe: {name.lower()}"))
    menu.addSeparator()
    _entry(menu, "Delete keyframe\tDel", view.delete_selection, "mdi6.trash-can-outline")
    return menu


def ask_transition_duration(view, tr) -> None:
    comp = view.comp
    seconds, ok = QInputDialog.getDouble(view, "Transition duration", "Seconds:", comp.seconds(tr.duration), comp.seconds(1), 10.0, 2)
    if ok:
        view.controller.set_transition_duration(tr.a, tr.b, max(1, comp.frames(seconds)))


def confirm_delete_track(view, track) -> bool:
    n = len(track.clips)
    box = QMessageBox(QMessageBox.Warning, "Delete track",
                      f"Delete “{track.name or TRACK_NAMES[track.kind]}” and the {n} clip{'s' if n != 1 else ''} on it?", parent=view)
    box.setInformativeText("Edit ▸ Undo brings them back.")
    delete = box.addButton("Delete track", QMessageBox.DestructiveRole)
    box.addButton(QMessageBox.Cancel)
    box.setDefaultButton(QMessageBox.Cancel)
    box.exec()
    return box.clickedButton() is delete


class TrackNameEditor(QLineEdit):
    """Edits a track's name in place over its header: Enter or clicking away saves, Esc cancels."""

    def __init__(self, view, track, rect):
        super().__init__(track.name, view.viewport())
        self._view, self._track_id, self._done = view, track.id, False
        self.setGeometry(rect.adjusted(-4, -1, 2, 1).toRect())
        self.setPlaceholderText(TRACK_NAMES[track.kind])
        self.selectAll()
        self.editingFinished.connect(self.finish)
        self.show()
        self.setFocus(Qt.OtherFocusReason)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape:
            self.finish(save=False)
            return
        super().keyPressEvent(event)

    def finish(self, save: bool = True) -> None:
        if self._done:
            return
        self._done = True
        self.hide()
        if save:
            self._view.controller.rename_track(self._track_id, self.text())
        if self._view.name_editor is self:
            self._view.name_editor = None
        self._view.setFocus(Qt.OtherFocusReason)
        self.deleteLater()
