"""The import's exceptions: a file refused unread, or read with errors. `str()` is for the user."""

from __future__ import annotations

from projects.spreadsheets.messages import _
from projects.spreadsheets.stored import CellError


class ImportProblem(Exception):
    """Base of the import's exceptions; `str()` is a message for the user."""


class ImportRefused(ImportProblem):
    """The file is not read at all: hostile, too large, not an XLSX workbook."""


class ImportRejected(ImportProblem):
    """The file has errors (named by sheet, row and column): nothing is applied."""

    def __init__(self, errors: list[CellError], message: str | None = None):
        self.errors = errors
        super().__init__(
            message or _("The file has %(count)d error(s); nothing was changed.") % {"count": len(errors)}
        )
