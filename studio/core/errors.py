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


class ConflictError(StudioError):
    """A save lost a race: someone changed the row after this session read it, so nothing was
    written. It carries both sides, so nothing is lost: `theirs` is stored, `mine` is here.

    table, pk: the row. mine: what this session wanted it to be (the columns an op set; for an undo
    or redo the whole row; None: gone). theirs: the row now (None: someone deleted it). base: the row
    as this session had read it (None when not known). by, at: who changed it and when, where the
    library knows. fields: studio.core.changes.FieldChange, one per field that differs.
    keep_mine: set where the op ran; writes mine on top of theirs as a new step (None: not possible)."""

    def __init__(self, message: str, *, table: str, pk: list, mine: dict | None, theirs: dict | None,
                 base: dict | None = None, by: str | None = None, at=None, fields=(), label: str = ""):
        super().__init__(message)
        self.table, self.pk, self.mine, self.theirs, self.base = table, pk, mine, theirs, base
        self.by, self.at, self.fields, self.label = by, at, list(fields), label
        self.keep_mine = None
