"""Views that follow library changes refresh at once while visible, and once when next shown
otherwise, so hidden workspaces do no work on every change."""

from __future__ import annotations


class RefreshWhenShown:
    """Mix into a QWidget that has refresh(); call follow_change(...) from its change handler."""

    _stale = False

    def follow_change(self, refresh_now=None) -> None:
        """refresh_now (default self.refresh) while visible; otherwise refresh() on the next show."""
        if self.isVisible():
            (refresh_now or self.refresh)()
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()
