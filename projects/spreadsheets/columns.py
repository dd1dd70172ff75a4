"""The spreadsheet file contract, shared by the exports and the import: the list's and the
developments sheet's columns with their labels, the sheet titles, the separator of joined names,
and formula-injection escaping (escape_cell) with its exact inverse (unescape_cell)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

# A cell that starts with one of these is a formula (or becomes one) in Excel and LibreOffice:
# the full-width forms too, which Japanese Excel turns into their ASCII forms as it reads them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


APOSTROPHE = "'"


NAME_SEPARATOR = "、"


# Text that gets the apostrophe: a trigger at the start, after any number of apostrophes. The
# apostrophes are part of the rule so that a text which really starts with "'=" (or "''+") is
# escaped too, and `unescape_cell` can remove exactly one apostrophe whenever one is followed
# by such text: the two are inverse for every text (escape_cell's docstring).
_ESCAPED_START = re.compile(f"{APOSTROPHE}*[{re.escape(''.join(FORMULA_TRIGGERS))}]")


def escape_cell(value):
    """Neutralize formula injection: an apostrophe before a text that starts with a formula
    trigger, or with apostrophes and then one ("'=A1" becomes "''=A1"). Anything else is left
    as it is. `unescape_cell(escape_cell(text)) == text` for every text."""
    if isinstance(value, str) and _ESCAPED_START.match(value):
        return APOSTROPHE + value
    return value


def unescape_cell(value):
    """Undo `escape_cell` on text read back from a spreadsheet: one apostrophe is removed where
    escape_cell would have put it, and nowhere else ("'quoted" stays as it is)."""
    if isinstance(value, str) and value.startswith(APOSTROPHE) and _ESCAPED_START.match(value, 1):
        return value[1:]
    return value


@dataclass(frozen=True)
class Column:
    key: str
    width: int
    wrap: bool = False
    number: bool = False  # a column of integers (the XLSX writer's fast path expects them)
    hidden: bool = False  # hidden in the XLSX (a technical column the import reads)

    @property
    def label(self):
        labels = LIST_COLUMN_LABELS if self.key in LIST_COLUMN_LABELS else DEVELOPMENT_COLUMN_LABELS
        return str(labels[self.key]())


# Labels are functions so they are translated in the language active at export time.
LIST_COLUMN_LABELS = {
    "number": lambda: _("Number"),
    "name": lambda: _("Name"),
    "name_en": lambda: _("English name"),
    "country": lambda: _("Country"),
    "region": lambda: _("Region"),
    "sectors": lambda: _("Sectors"),
    "schemes": lambda: _("Schemes"),
    "status": lambda: _("Status"),
    "is_new": lambda: _("New"),
    "won": lambda: _("Won"),
    "latest_development_date": lambda: _("Latest development date"),
    "latest_development_text": lambda: _("Latest development"),
    "updated": lambda: _("Updated"),
    "version": lambda: _("Version"),
}


LIST_COLUMNS = [
    Column("number", 8, number=True),
    Column("name", 36, wrap=True),
    Column("name_en", 40, wrap=True),
    Column("country", 16),
    Column("region", 18),
    Column("sectors", 20, wrap=True),
    Column("schemes", 20, wrap=True),
    Column("status", 14),
    Column("is_new", 8),
    Column("won", 8),
    Column("latest_development_date", 18),
    Column("latest_development_text", 60, wrap=True),
    Column("updated", 18),
    # The project's version when the file was made: the import refuses to overwrite a project
    # saved since (the import's preview), as the admin and the API do.
    Column("version", 8, number=True, hidden=True),
]


# The second sheet of the XLSX list: every development of the exported projects. Editors edit
# rows to change a development and append rows with an empty No. to add one (the import).
DEVELOPMENT_COLUMN_LABELS = {
    "project_number": lambda: _("Project number"),
    "sequence": lambda: _("No."),
    "date": lambda: _("Date"),
    "kind": lambda: _("Kind"),
    "text": lambda: _("Text"),
    "source": lambda: _("Source"),
}


DEVELOPMENT_COLUMNS = [
    Column("project_number", 10, number=True),
    Column("sequence", 6, number=True),
    Column("date", 22),
    Column("kind", 20),
    Column("text", 80, wrap=True),
    Column("source", 24),
]


def projects_sheet_title() -> str:
    return _("Projects")[:31]


def developments_sheet_title() -> str:
    return _("Developments")[:31]
