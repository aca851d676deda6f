"""Python's cycle collector runs on whichever thread happens to allocate when its counts pass the
threshold. When that is a job thread and the garbage holds Qt objects, their destructors run
there: Qt locks the object and waits for the GIL while the GUI thread holds the GIL and waits for
that lock, and the studio hangs. So automatic collection is turned off and the GUI thread
collects on a timer, by the same thresholds."""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class MainThreadCollector(QObject):
    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self, interval=INTERVAL_MS)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    def collect(self) -> None:
        """The generation the counts call for, as the automatic collector would choose it."""
        counts = gc.get_count()
        due = [g for g in range(3) if counts[g] > self.thresholds[g]]
        if due:
            gc.collect(max(due))
