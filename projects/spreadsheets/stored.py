"""The stored preview: the one schema of `ImportBatch.preview`.

An import's preview is stored as JSON with the keys changes, errors, counts and options.
`stored_preview(batch)` and `store_preview(batch, stored)` are the only code that reads or
writes that field; everything else uses the dataclasses below.

Rows stored by earlier versions may lack keys. `from_json` gives a missing key today's default
and remembers it was missing; `to_json` leaves it out again while it still holds that default.
So every stored row reads and writes back equal (`to_json(from_json(x)) == x`).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from functools import cache
from typing import Any

from projects.spreadsheets.messages import _render


@dataclasses.dataclass(kw_only=True)
class _Record:
    """A JSON object as a dataclass: one attribute per key."""

    # The keys a stored row lacked (to_json leaves them out while at their default); not part
    # of the value.
    missing: frozenset[str] = dataclasses.field(default=frozenset(), repr=False, compare=False)

    @classmethod
    @cache
    def _defaults(cls) -> dict[str, Any]:
        return {
            f.name: f.default if f.default is not dataclasses.MISSING else f.default_factory()
            for f in dataclasses.fields(cls)
            if f.name != "missing"
        }

    @classmethod
    @cache
    def _keys(cls) -> frozenset[str]:
        return frozenset(cls._defaults())

    @classmethod
    def from_json(cls, data: dict):
        keys = cls._keys()
        if data.keys() == keys:  # every key: the row as written since the first version
            return cls(**data, missing=frozenset())
        return cls(**{key: data[key] for key in keys if key in data}, missing=keys - data.keys())

    def to_json(self) -> dict:
        if not self.missing:
            return {key: getattr(self, key) for key in self._defaults()}
        return {
            key: getattr(self, key)
            for key, default in self._defaults().items()
            if key not in self.missing or getattr(self, key) != default
        }


@dataclasses.dataclass(kw_only=True)
class Change(_Record):
    """One cell the import would change: where (sheet, row, column), what (project number,
    development sequence, field), shown (before, after, in the sheet's language) and raw (old,
    new: codes, ISO dates), which apply compares to tell whether the data moved since."""

    sheet: str = ""
    kind: str = ""  # the sheet's kind: projects or developments
    row: int | None = None
    number: int | None = None
    sequence: int | None = None  # the development's No.; None for a project or a new development
    action: str = "update"  # or "add": a new development
    field: str = ""
    column: str = ""  # the header as written in the file
    before: str = ""
    after: str = ""
    old: Any = None
    new: Any = None

    def public(self) -> dict:
        """What the API shows: all but the raw values."""
        return {k: v for k, v in self.to_json().items() if k not in ("old", "new")}


@dataclasses.dataclass(kw_only=True)
class CellError(_Record):
    """A problem of the file, named by sheet, row, column and cell. `source` is the message's
    source text and parameters (messages.Message.as_json), to show it in the reader's language."""

    sheet: str = ""
    row: int | None = None
    column: str = ""
    cell: str = ""
    message: str = ""
    source: dict | None = None
    # A message without a source (not a messages.Message) was always stored without the key.
    missing: frozenset[str] = dataclasses.field(default=frozenset({"source"}), repr=False, compare=False)

    def rendered(self) -> str:
        """The message in the active language (as stored, for errors without a source)."""
        return _render(self.source) if isinstance(self.source, dict) else self.message

    def shown(self) -> dict:
        """The error for a reader: sheet, row, column, cell and the message in their language."""
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "message": self.rendered(),
        }


@dataclasses.dataclass(kw_only=True)
class Counts(_Record):
    changes: int = 0
    errors: int = 0
    projects_changed: int = 0
    status_changes: int = 0
    developments_added: int = 0
    developments_changed: int = 0


@dataclasses.dataclass(kw_only=True)
class Options(_Record):
    """What the uploader gave with the file, for the status changes the import makes."""

    note: str = ""
    effective_on: str | None = None  # ISO date

    @classmethod
    def of(cls, note: str = "", effective_on: date | None = None) -> Options:
        return cls(note=note or "", effective_on=effective_on.isoformat() if effective_on else None)

    @property
    def effective_date(self) -> date | None:
        return date.fromisoformat(self.effective_on) if self.effective_on else None


@dataclasses.dataclass(kw_only=True)
class StoredPreview:
    changes: list[Change] = dataclasses.field(default_factory=list)
    errors: list[CellError] = dataclasses.field(default_factory=list)
    counts: Counts = dataclasses.field(default_factory=Counts)
    options: Options = dataclasses.field(default_factory=Options)
    missing: frozenset[str] = dataclasses.field(default=frozenset(), repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict | None) -> StoredPreview:
        data = data or {}
        return cls(
            changes=[Change.from_json(c) for c in data.get("changes", [])],
            errors=[CellError.from_json(e) for e in data.get("errors", [])],
            counts=Counts.from_json(data.get("counts", {})),
            options=Options.from_json(data.get("options") or {}),
            missing=frozenset(k for k in ("changes", "errors", "counts", "options") if k not in data),
        )

    def to_json(self) -> dict:
        data = {
            "changes": [c.to_json() for c in self.changes],
            "errors": [e.to_json() for e in self.errors],
            "counts": self.counts.to_json(),
            "options": self.options.to_json(),
        }
        # default=str: values that are not JSON types (lazy translations) are stored as text.
        return json.loads(
            json.dumps({k: v for k, v in data.items() if v or k not in self.missing}, default=str)
        )


def stored_preview(batch) -> StoredPreview:
    """The preview stored on an ImportBatch, read once per instance while its JSON is the same
    object (a list page shows several counts of each). Treat it as read-only: to change it,
    store another (dataclasses.replace)."""
    read = getattr(batch, "_stored_preview", None)
    if read is None or read[0] is not batch.preview:
        read = batch._stored_preview = (batch.preview, StoredPreview.from_json(batch.preview))
    return read[1]


def store_preview(batch, stored: StoredPreview) -> None:
    """Set an ImportBatch's preview (the caller saves the batch)."""
    batch.preview = stored.to_json()
