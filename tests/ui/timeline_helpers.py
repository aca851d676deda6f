"""Acting on the Creative timeline as a user: mouse drags, right-click menus (the real popups),
answering the dialogs they open, and counting undo steps."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def undo_count(ctx) -> int:
    from sqlalchemy import func, select

    from studio.core.db.models import UndoEntry

    with ctx.lib.read() as conn:
        return conn.execute(select(func.count()).select_from(UndoEntry).where(UndoEntry.undone.is_(False))).scalar()


def drag(view, start: QPoint, end: QPoint, modifiers=Qt.NoModifier, steps: int = 6) -> None:
    vp = view.timeline.viewport()
    QTest.mousePress(vp, Qt.LeftButton, modifiers, start)
    for k in range(1, steps + 1):
        QTest.mouseMove(vp, start + (end - start) * k / steps)
    QTest.mouseRelease(vp, Qt.LeftButton, modifiers, end)


def clip_point(view, clip_id, where: str = "body") -> QPoint:
    tl = view.timeline
    track, clip = view.controller.composition.find_clip(clip_id)
    rect = tl.clip_rect(clip, tl.row_of_track(track.id))
    x = {"body": rect.center().x(), "left": rect.left() + 2, "right": rect.right() - 2}[where]
    return QPoint(round(x), round(rect.center().y()))


def header_point(view, track_id) -> QPoint:
    """A spot on the track's header away from its buttons (its name)."""
    tl = view.timeline
    return tl.name_rect(tl.row_of_track(track_id)).center().toPoint()


def _action(menu, text: str):
    found = [a for a in menu.actions() if a.text().split("\t")[0] == text]
    assert found, f"no {text!r} in {[a.text() for a in menu.actions()]}"
    return found[0]


def choose(qtbot, open_menu, *path: str) -> None:
    """Open a popup menu with open_menu(), pick path from it (submenus first, e.g.
    "Add transition", "Crossfade") and trigger that entry."""
    chosen, done = [], []

    def pick():
        try:
            menu = QApplication.activePopupWidget()
            for text in path[:-1]:
                sub = _action(menu, text)
                assert sub.isEnabled(), f"{text!r} is disabled"
                menu = sub.menu()
            chosen.append(_action(menu, path[-1]))
        finally:
            while QApplication.activePopupWidget() is not None:
                QApplication.activePopupWidget().close()
            done.append(True)

    QTimer.singleShot(0, pick)
    open_menu()  # a context menu returns once it closes, a tool button's drop-down at once
    qtbot.waitUntil(lambda: bool(done))
    assert chosen, f"the menu had no {' ▸ '.join(path)}"
    assert chosen[0].isEnabled(), f"{' ▸ '.join(path)} is disabled"
    chosen[0].trigger()


def right_click(qtbot, view, pos: QPoint, *path: str) -> None:
    """Right-click the timeline at pos and choose path from the menu that pops up."""
    vp = view.timeline.viewport()
    choose(qtbot, lambda: QApplication.sendEvent(vp, QContextMenuEvent(QContextMenuEvent.Mouse, pos, vp.mapToGlobal(pos))), *path)


def menu_entries(view, pos: QPoint, *submenu: str) -> dict[str, bool]:
    """What the timeline's menu at pos offers (text -> enabled), without opening it."""
    from PySide6.QtCore import QPointF

    menu = view.timeline.context_menu(QPointF(pos))
    for text in submenu:
        menu = _action(menu, text).menu()
    return {a.text().split("\t")[0]: a.isEnabled() for a in menu.actions() if a.text()}


class DialogAnswerer:
    """Answers each modal dialog that opens with answer(dialog) and keeps their titles."""

    def __init__(self, answer):
        self.answer = answer
        self.seen: list[str] = []
        self._timer = QTimer(interval=10)
        self._timer.timeout.connect(self._check)
        self._timer.start()

    def _check(self) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None and dialog.isVisible():
            self.seen.append(dialog.windowTitle())
            self.answer(dialog)

    def stop(self) -> None:
        self._timer.stop()


def click_button(text: str):
    def answer(box):
        next(b for b in box.buttons() if b.text().replace("&", "") == text).click()

    return answer
