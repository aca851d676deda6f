"""What the editor can do from the keyboard and the toolbars: QActions with the usual NLE
shortcuts (J/K/L, S to split, N for snapping, M for markers, I/O, Space, arrows)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from studio.ui.shell.theme import theme


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
        self.delete = make("Delete", "mdi6.trash-can-outline", [QKeySequence.Delete, "Backspace"], lambda: c.delete_selected())
        self.ripple_delete = make("Ripple delete", "mdi6.arrow-collapse-left", ["Shift+Del", "Shift+Backspace"], lambda: c.delete_selected(ripple=True))
        self.select_all = make("Select all clips", "", ["Ctrl+A"], lambda: c.select([x.id for _t, x in c.composition.clips()] if c.composition else []))
        self.snapping = make("Snapping", "mdi6.magnet", ["N"], tl.set_snapping, checkable=True)
        self.snapping.setChecked(tl.snapping)
        tl.snapping_changed.connect(self.snapping.setChecked)
        self.marker = make("Add marker", "mdi6.bookmark-outline", ["M"], lambda: c.add_marker())
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
        for a in (self.add_text, self.add_shape, self.split, self.marker, self.zoom_in, self.zoom_out, self.fit, self.play):
            a.setEnabled(has_comp)
        for a in (self.delete, self.ripple_delete):
            a.setEnabled(has_comp and bool(c.selected))
