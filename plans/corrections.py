"""The reviewed corrections of the parsed plan (fixtures/action_plan_2023_corrections.json).

Two kinds of entry, each applied only to the value it was written for, so a correction never
silently lands on what the parser or the date rule has since learned to produce differently:

* a text correction replaces one parsed field of a project (name, summary, note or
  developments): {"number", "field", "parsed", "corrected", "fixes", "reason"};
* a development-date correction replaces the date the rule read from one development's text,
  and keeps the text as printed: {"number", "sequence", "field": "development_date",
  "printed", "corrected", "reason", "source": {"publication", "date"}}. `printed` and
  `corrected` are written as the tracker writes dates ("2023-12", "2023-12-22", "2023",
  "FY2023", a range "2022-11 ~ 2023-01"); `printed` must be exactly what
  projects.dates.parse_development_date reads from the text (date, precision and end); a
  reason and a source (publication and its date) are required.
"""

from __future__ import annotations

import datetime
from dataclasses import replace

from plans.parser import Row
from projects.dates import (
    FISCAL,
    ISO,
    RANGES,
    NoSuchDate,
    NotADate,
    ParsedDate,
    parse_development_date,
    parse_partial_date,
)

TEXT_FIELDS = ("name", "summary", "note", "developments")
DEVELOPMENT_DATE = "development_date"
CORRECTABLE_FIELDS = (*TEXT_FIELDS, DEVELOPMENT_DATE)
TEXT_KEYS = ("number", "field", "parsed", "corrected", "fixes", "reason")
DATE_KEYS = ("number", "sequence", "field", "printed", "corrected", "reason", "source")
SOURCE_KEYS = ("publication", "date")
# How `printed` and `corrected` are written.
DATE_FORMS = frozenset({ISO, FISCAL, RANGES})


class CorrectionError(ValueError):
    """A correction does not apply to what the parser produced."""


def _lacking(entry: dict, keys) -> list[str]:
    return [key for key in keys if entry.get(key) in (None, "", {}, [])]


def _checked(entry: dict, rows_by_number: dict[int, Row]) -> dict:
    """The entry, if it has every key of its kind, a known project and a known field."""
    if not isinstance(entry, dict):
        raise CorrectionError(f"Correction {entry!r} is not an object.")
    field = entry.get("field")
    keys = DATE_KEYS if field == DEVELOPMENT_DATE else TEXT_KEYS
    missing = [key for key in keys if key not in entry]
    if field == DEVELOPMENT_DATE:
        missing += [key for key in _lacking(entry, ("reason", "source")) if key not in missing]
        source = entry.get("source")
        if isinstance(source, dict):
            missing += [f"source {key}" for key in _lacking(source, SOURCE_KEYS)]
        elif source not in (None, "", {}, []):
            missing.append("source publication and date")
    if missing:
        raise CorrectionError(f"Correction {entry!r} lacks {', '.join(missing)}.")
    number = entry["number"]
    if number not in rows_by_number:
        raise CorrectionError(f"Correction for project {number}: no such project.")
    if field not in CORRECTABLE_FIELDS:
        raise CorrectionError(f"Correction for project {number}: unknown field {field!r}.")
    if field == DEVELOPMENT_DATE:
        try:
            datetime.date.fromisoformat(entry["source"]["date"])
        except (TypeError, ValueError) as exc:
            raise CorrectionError(
                f"Correction for project {number}: the source's date {entry['source']['date']!r} is not YYYY-MM-DD."
            ) from exc
    return entry


def apply_corrections(rows: list[Row], corrections: list[dict]) -> list[Row]:
    """Apply the reviewed text corrections; each replaces one field's parsed value with a
    reviewed one, only if the field's parsed value equals "parsed" exactly. Every entry, of
    either kind, is checked; development-date corrections are applied by development_dates."""
    by_number = {row.number: row for row in rows}
    result = dict(by_number)
    for entry in corrections:
        _checked(entry, by_number)
        number, name = entry["number"], entry["field"]
        if name == DEVELOPMENT_DATE:
            continue
        current = getattr(result[number], name)
        if current != entry["parsed"]:
            raise CorrectionError(
                f"Correction for project {number} {name} does not apply: the parsed value is "
                f"{current!r}, the correction expects {entry['parsed']!r}."
            )
        result[number] = replace(result[number], **{name: entry["corrected"]})
    return [result[row.number] for row in rows]


def _date(number: int, what: str, value) -> ParsedDate:
    try:
        parsed = parse_partial_date(value if isinstance(value, str) else None, accept=DATE_FORMS)
    except (NotADate, NoSuchDate):
        parsed = None
    if parsed is None:
        raise CorrectionError(
            f"Correction for project {number}: {what} {value!r} is not a date such as 2023-12, FY2023 or 2022-11 ~ 2023-01."
        )
    return parsed


def development_dates(rows: list[Row], corrections: list[dict]) -> dict[tuple[int, int], ParsedDate]:
    """(number, sequence) -> the date of every development: what parse_development_date reads
    from its text, or a development-date correction's `corrected` where the correction's
    `printed` is exactly what it reads (else CorrectionError: the correction is stale)."""
    by_number = {row.number: row for row in rows}
    dates = {
        (row.number, sequence): parse_development_date(text)
        for row in rows
        for sequence, text in enumerate(row.developments, start=1)
    }
    corrected: set[tuple[int, int]] = set()
    for entry in corrections:
        _checked(entry, by_number)
        if entry["field"] != DEVELOPMENT_DATE:
            continue
        number, sequence = entry["number"], entry["sequence"]
        key = (number, sequence)
        if key not in dates:
            raise CorrectionError(f"Correction for project {number}: no development {sequence!r}.")
        if key in corrected:
            raise CorrectionError(
                f"Correction for project {number}: development {sequence}'s date is corrected twice."
            )
        printed = _date(number, "printed", entry["printed"])
        value = _date(number, "corrected", entry["corrected"])
        if dates[key] != printed:
            raise CorrectionError(
                f"Correction for project {number} development {sequence} date does not apply: the "
                f"parsed date is {_written(dates[key])}, the correction expects {entry['printed']!r}."
            )
        if value == printed:
            raise CorrectionError(
                f"Correction for project {number} development {sequence}: corrects nothing."
            )
        dates[key] = value
        corrected.add(key)
    return dates


def _written(parsed: ParsedDate) -> str:
    if parsed.date is None:
        return "none"
    return f"{parsed.date.isoformat()} ({parsed.precision})" + (
        f" ~ {parsed.date_end.isoformat()}" if parsed.date_end else ""
    )
