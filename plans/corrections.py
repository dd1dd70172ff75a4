"""The reviewed corrections of the parsed plan: each replaces one field's parsed value, and only
the value it was written for."""

from __future__ import annotations

from dataclasses import replace

from plans.parser import Row

CORRECTABLE_FIELDS = ("name", "summary", "note", "developments")


class CorrectionError(ValueError):
    """A correction does not apply to what the parser produced."""


def apply_corrections(rows: list[Row], corrections: list[dict]) -> list[Row]:
    """Apply reviewed corrections; each replaces one field's parsed value with a reviewed one.

    A correction is {"number", "field", "parsed", "corrected", "fixes", "reason"}. It applies
    only if the field's parsed value equals "parsed" exactly, so a correction never silently
    lands on text the parser has since learned to produce differently.
    """
    by_number = {row.number: row for row in rows}
    result = {row.number: row for row in rows}
    for entry in corrections:
        missing = [
            key for key in ("number", "field", "parsed", "corrected", "fixes", "reason") if key not in entry
        ]
        if missing:
            raise CorrectionError(f"Correction {entry!r} lacks {', '.join(missing)}.")
        number, name = entry["number"], entry["field"]
        if number not in by_number:
            raise CorrectionError(f"Correction for project {number}: no such project.")
        if name not in CORRECTABLE_FIELDS:
            raise CorrectionError(f"Correction for project {number}: unknown field {name!r}.")
        current = getattr(result[number], name)
        if current != entry["parsed"]:
            raise CorrectionError(
                f"Correction for project {number} {name} does not apply: the parsed value is "
                f"{current!r}, the correction expects {entry['parsed']!r}."
            )
        result[number] = replace(result[number], **{name: entry["corrected"]})
    return [result[row.number] for row in rows]
