"""What the editor can do from the keyboard and the toolbars: QActions with the usual NLE
shortcuts (J/K/L, S to split, N for snapping, M for markers, I/O, Space, arrows, Ctrl+D for
a crossfade, U for keyframe lanes)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from studio.ui.shell.theme import theme
from studio.ui.workspaces.creative.timeline_model import TRACK_NAMES
from studio.ui.workspaces.creative.timeline_paint import KIND_ICONS


class CreativeActions(QObject):
    def __init__(self, view):
        super().__init__(view)
        self.view = view
        c = view.controller
        tl = view.timeline
        viewer = view.viewer
        pb = viewer.playback
        self.icon_names: list[tuple[QAction, str]] = []

        def make(text, icon, keys, slot, checkable=False):
            action = QAction(text, view)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            action.setCheckable(checkable)
            action.triggered.connect(slot)
            if icon:
                self.icon_names.append((action, icon))
            if keys:
                hint = QKeySequence(keys[0]).toString(QKeySequence.NativeText)
                action.setToolTip(f"{text} ({hint})")
            view.addAction(action)
            return action

        self.add_text = make("Add text", "mdi6.format-text", ["T"], lambda: c.add_text())
        self.add_shape = make("Add shape", "mdi6.shape-outline", [], lambda: c.add_shape())
        self.split = make("Split at playhead", "mdi6.content-cut", ["S", "Ctrl+K"], c.split_at_playhead)
        self.delete = make("Delete", "mdi6.trash-can-outline", [QKeySequence.Delete, "Backspace"], tl.delete_selection)
        self.ripple_delete = make("Ripple delete", "mdi6.arrow-collapse-left", ["Shift+Del", "Shift+Backspace"], lambda: c.delete_selected(ripple=True))
        self.select_all = make("Select all clips", "", ["Ctrl+A"], lambda: c.select([x.id for _t, x in c.composition.clips()] if c.composition else []))
        self.snapping = make("Snapping", "mdi6.magnet", ["N"], tl.set_snapping, checkable=True)
        self.snapping.setChecked(tl.snapping)
        tl.snapping_changed.connect(self.snapping.setChecked)
        self.marker = make("Add marker", "mdi6.bookmark-outline", ["M"], lambda: c.add_marker())
        self.add_transition = make("Add crossfade at the selected clip's nearest cut", "mdi6.transition", ["Ctrl+D"],
                                   lambda: tl.add_transition_at_playhead())
        self.shorter_transition = make("Shorten the selected transition by a frame", "", ["["], lambda: tl.nudge_transition(-1))
        self.longer_transition = make("Lengthen the selected transition by a frame", "", ["]"], lambda: tl.nudge_transition(1))
        self.keyframe_lanes = make("Show or hide keyframe lanes", "mdi6.chart-bell-curve", ["U"], lambda: tl.toggle_lanes())
        self.add_track_menu = QMenu("Add track", view)
        self.add_track_menu.setToolTipsVisible(True)
        self.add_tracks = {}
        for n, (kind, name) in enumerate(TRACK_NAMES.items(), start=1):
            action = make(f"Add {name.lower()} track", KIND_ICONS[kind], [f"Ctrl+Alt+{n}"], lambda _=False, kind=kind: tl.add_track(kind))
            self.add_track_menu.addAction(action)
            self.add_tracks[kind] = action
        self.add_track = QAction("Add track", view, toolTip="Add a video, overlay, text or audio track")
        self.add_track.setMenu(self.add_track_menu)
        self.icon_names.append((self.add_track, "mdi6.table-row-plus-after"))
        self.zoom_in = make("Zoom in", "mdi6.magnify-plus-outline", ["+", "=", "Ctrl+="], tl.zoom_in)
        self.zoom_out = make("Zoom out", "mdi6.magnify-minus-outline", ["-", "Ctrl+-"], tl.zoom_out)
        self.fit = make("Zoom to fit", "mdi6.arrow-expand-horizontal", ["\\", "Shift+Z"], tl.fit)
        self.play = make("Play / pause", "mdi6.play", ["Space"], pb.toggle)
        self.shuttle_back = make("Play backwards (J, faster each press)", "", ["J"], lambda: pb.shuttle(-1))
        self.shuttle_stop = make("Stop (K)", "", ["K"], lambda: pb.shuttle(0))
        self.shuttle_fwd = make("Play forwards (L, faster each press)", "", ["L"], lambda: pb.shuttle(1))
        self.prev_frame = make("Previous frame", "", ["Left"], lambda: viewer.step(-1))
        self.next_frame = make("Next frame", "", ["Right"], lambda: viewer.step(1))
        self.back_second = make("Back one second", "", ["Shift+Left"], lambda: viewer.step(-self._fps()))
        self.fwd_second = make("Forward one second", "", ["Shift+Right"], lambda: viewer.step(self._fps()))
        self.go_start = make("Go to start", "", ["Home"], lambda: c.set_playhead(0))
        self.go_end = make("Go to end", "", ["End"], viewer.go_end)
        self.mark_in = make("Mark in", "", ["I"], viewer.mark_in)
        self.mark_out = make("Mark out", "", ["O"], viewer.mark_out)
        self.clear_marks = make("Clear in and out", "", ["Alt+X"], lambda: c.set_marks(None, None))
        self.loop = make("Loop playback", "mdi6.repeat", ["Ctrl+L"], pb.set_loop, checkable=True)
        pb.loop_changed.connect(self.loop.setChecked)
        tl.selection_changed.connect(self.update_enabled)
        self.retint()
        theme().changed.connect(self.retint)

    def _fps(self) -> int:
        comp = self.view.controller.composition
        return round(comp.fps[0] / comp.fps[1]) if comp else 30

    def retint(self) -> None:
        for action, icon in self.icon_names:
            action.setIcon(theme().icon(icon))

    def update_enabled(self) -> None:
        c = self.view.controller
        has_comp = c.composition is not None
        for a in (self.add_text, self.add_shape, self.split, self.marker, self.zoom_in, self.zoom_out, self.fit, self.play,
                  self.keyframe_lanes, self.add_track, *self.add_tracks.values()):
            a.setEnabled(has_comp)
        tl = self.view.timeline
        part = tl.selected_transition is not None or tl.selected_key is not None
        self.delete.setEnabled(has_comp and (bool(c.selected) or part))
        self.ripple_delete.setEnabled(has_comp and bool(c.selected))
        self.add_transition.setEnabled(has_comp and bool(c.selected))
        for a in (self.shorter_transition, self.longer_transition):
            a.setEnabled(has_comp and tl.selected_transition is not None)
