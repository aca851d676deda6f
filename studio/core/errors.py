"""Errors a user can act on. Their message says what happened and what to do."""


class StudioError(Exception):
    """A failure with a message fit for a user (no traceback)."""

    exit_code = 1


class BadInput(StudioError):
    """The user gave something we cannot use: a wrong path, a bad file, a bad value."""

    exit_code = 2


class LibraryError(StudioError):
    """The library cannot be opened as asked."""


class LibraryNotWritable(LibraryError):
    exit_code = 2


class LibraryLocked(LibraryError):
    pass


class LibraryTooNew(LibraryError):
    pass


class LibraryDamaged(LibraryError):
    def __init__(self, message: str, newest_backup=None):
        super().__init__(message)
        self.newest_backup = newest_backup


class SecretsUnavailable(StudioError):
    pass


class Cancelled(Exception):
    """Raised inside a job when the user pressed Cancel."""
