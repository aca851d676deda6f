"""Work for a view, off the GUI thread, where only the newest request matters
(typing in a search box, a burst of change events): older results are dropped."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal


class LatestOnly(QObject):
    finished = Signal(object)  # the newest request's result, on the GUI thread
    _delivered = Signal(int, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._latest = 0
        self._delivered.connect(self._on_delivered, Qt.QueuedConnection)

    def submit(self, fn: Callable[[], object]) -> None:
        self._latest += 1
        QThreadPool.globalInstance().start(_Task(fn, self._latest, self))

    def _on_delivered(self, request: int, result) -> None:
        if request == self._latest:
            self.finished.emit(result)


class _Task(QRunnable):
    def __init__(self, fn, request: int, owner: LatestOnly):
        super().__init__()
        self._fn, self._request, self._owner = fn, request, owner

    def run(self) -> None:
        result = self._fn()
        try:
            self._owner._delivered.emit(self._request, result)
        except RuntimeError:  # the view went away meanwhile
            pass
