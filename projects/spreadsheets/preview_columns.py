"""Column groups of the import preview.

A group is one column of a sheet, or a family of columns read the same way (name and English
name, sectors and schemes). It reads its cell of a row, gives the value the database holds now,
compares the two, shows a value in the sheet's language, gives its raw JSON form (which apply
compares) and puts a new value on the edit. The builder (preview.py) runs the groups of each
sheet in order: PROJECT_GROUPS (preview_projects.py), DEVELOPMENT_GROUPS
(preview_developments.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from projects.spreadsheets.reading import Sheet
from projects.spreadsheets.values import _Lookups

# What `ColumnGroup.read` returns when the row leaves the value as it is (no such column).
ABSENT = object()


class Invalid(Exception):
    """The cell cannot be read; `message` says why, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RowContext:
    """One row of a sheet, as the groups read it."""

    sheet: Sheet
    values: tuple
    lookups: _Lookups
    # What the row edits: a project, a development, or None for a development to add.
    target: object | None
    # The values read so far, by group key: a group may depend on an earlier one.
    read: dict = field(default_factory=dict)

    def has(self, key: str) -> bool:
        return key in self.sheet.columns

    def cell(self, key: str):
        return self.sheet.value(self.values, key)


class ColumnGroup:
    """One column (or family). Subclasses define `read` and `apply`, and override the rest
    where the value is not a plain one."""

    # The field it edits: the change's `field`, the error's column.
    key: str
    # A development to add shows this group's change even when empty (else only when not).
    shown_when_empty = True
    # The value of a development to add when the row gives none.
    empty: object = ""

    def read(self, row: RowContext):
        """The cell's value, or ABSENT; raises Invalid for a cell that cannot be read."""
        raise NotImplementedError

    def current(self, target):
        return getattr(target, self.key)

    def same(self, new, current) -> bool:
        return new == current

    def display(self, value) -> str:
        return value

    def raw(self, value):
        return value

    def apply(self, edit, value) -> None:
        raise NotImplementedError
