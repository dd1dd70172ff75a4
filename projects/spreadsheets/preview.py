"""The import's preview: every row of a read workbook compared with the database.

The round trip: an editor downloads the list export (`export.write_list_xlsx`), edits the
projects sheet (name, English name, country, sectors, schemes, status, new) and the
developments sheet (edit a row to change that development; append a row with an empty No. to
add one), and uploads it. Other columns (region, won, latest development, updated) are derived
and ignored. The hidden "version" column guards against overwriting edits made after the
export. Deleting a row deletes nothing.

`build_preview()` lists the changes (sheet, row, project, field, before, after) and the errors
(sheet, row, column, message). Reading is reading.py, cell values values.py, storing and
applying apply.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.utils.translation import override

from projects import choices
from projects.dates import format_partial_date, parse_development_date
from projects.models import (
    Development,
    DevelopmentKind,
    Project,
    Status,
)
from projects.spreadsheets.columns import (
    DEVELOPMENT_COLUMN_LABELS,
    LIST_COLUMN_LABELS,
)
from projects.spreadsheets.messages import _, _render
from projects.spreadsheets.reading import (
    DEVELOPMENTS,
    PROJECTS,
    ParsedFile,
    Progress,
    Sheet,
    _error,
    _norm,
)
from projects.spreadsheets.values import (
    _as_int,
    _as_text,
    _iso,
    _Lookups,
    _names,
    _same_date_text,
    _same_text,
    _split_names,
    _yes_no,
    parse_date_cell,
    tokyo_minute,
)

# The longest text a cell may hold, per column (the default: Excel's own limit). Every cell is
# checked before it is parsed, so no parser ever sees more than this.
MAX_CELL_CHARS = 32_767


CELL_LIMITS = {
    "number": 20,
    "project_number": 20,
    "sequence": 20,
    "version": 20,
    "updated": 100,
    "country": 200,
    "status": 200,
    "kind": 200,
    "is_new": 50,
    "date": 100,
    "sectors": 2_000,
    "schemes": 2_000,
}

# The development columns an import may change.
DEVELOPMENT_EDITABLE = ("date", "kind", "text", "source")


@dataclass
class _ProjectEdit:
    project: Project
    sheet: str
    row: int
    fields: dict = field(default_factory=dict)
    sectors: list | None = None
    schemes: list | None = None
    status: str | None = None


@dataclass
class _DevelopmentEdit:
    project: Project
    sheet: str
    row: int
    development: Development | None  # None: a new development
    values: dict = field(default_factory=dict)


@dataclass
class Preview:
    """What applying a file would change, and what is wrong with it."""

    changes: list[dict]
    errors: list[dict]
    project_edits: list[_ProjectEdit] = field(default_factory=list, repr=False)
    development_edits: list[_DevelopmentEdit] = field(default_factory=list, repr=False)

    @property
    def is_clean(self) -> bool:
        return not self.errors

    def counts(self) -> dict:
        return {
            "changes": len(self.changes),
            "errors": len(self.errors),
            "projects_changed": len(
                {
                    e.project.pk
                    for e in self.project_edits
                    if e.fields or e.sectors is not None or e.schemes is not None
                }
            ),
            "status_changes": sum(1 for e in self.project_edits if e.status),
            "developments_added": sum(1 for e in self.development_edits if e.development is None),
            "developments_changed": sum(1 for e in self.development_edits if e.development is not None),
        }

    def as_json(self, options: dict | None = None) -> dict:
        return json.loads(
            json.dumps(
                {
                    "changes": self.changes,
                    "errors": self.errors,
                    "counts": self.counts(),
                    "options": options or {},
                },
                default=str,
            )
        )


class _PreviewBuilder:
    def __init__(self, parsed: ParsedFile, progress: Progress | None):
        self.parsed = parsed
        self.progress = progress
        self.lookups = _Lookups()
        self.projects = {
            p.number: p
            for p in Project.objects.select_related("country").prefetch_related("sectors", "schemes")
        }
        self.changes: list[dict] = []
        self.errors: list[dict] = []
        self.project_edits: list[_ProjectEdit] = []
        self.development_edits: list[_DevelopmentEdit] = []
        self.changed_projects: set[int] = set()
        self.version_cells: dict[int, tuple[Sheet, int, object]] = {}
        self.done = 0
        self.total = parsed.row_count

    def run(self) -> Preview:
        for sheet in self.parsed.sheets:
            self.errors.extend(sheet.errors)
        # Labels (statuses, kinds, dates, yes) in each sheet's own language; messages are shown
        # in the reader's (Message, shown_errors).
        if projects := self.parsed.sheet(PROJECTS):
            with override(projects.language):
                self.projects_sheet(projects)
        if developments := self.parsed.sheet(DEVELOPMENTS):
            with override(developments.language):
                self.developments_sheet(developments)
        self.check_stale()
        for error in self.errors:  # made in a sheet's language: the text in the active one
            if isinstance(error.get("source"), dict):
                error["message"] = _render(error["source"])
        if self.progress:
            self.progress(_("Checking"), self.total, self.total)
        return Preview(
            changes=self.changes,
            errors=self.errors,
            project_edits=self.project_edits,
            development_edits=self.development_edits,
        )

    def tick(self):
        self.done += 1
        if self.progress and self.done % max(self.total // 100, 500) == 0:
            self.progress(_("Checking"), self.done, self.total)

    def change(self, sheet, row, project, key, before, after, *, old, new, sequence=None, action="update"):
        self.changed_projects.add(project.number)
        self.changes.append(
            {
                "sheet": sheet.title,
                "kind": sheet.kind,
                "row": row,
                "number": project.number,
                "sequence": sequence,
                "action": action,
                "field": key,
                "column": sheet.header(key),
                "before": before,
                "after": after,
                "old": old,
                "new": new,
            }
        )

    def too_long(self, sheet: Sheet, row: int, values: tuple) -> bool:
        """Whether a cell of the row is longer than its column allows (CELL_LIMITS); each such
        cell is an error. Checked before anything of the row is parsed."""
        found = False
        for key in sheet.columns:
            value = sheet.value(values, key)
            limit = CELL_LIMITS.get(key, MAX_CELL_CHARS)
            if isinstance(value, str) and len(value) > limit:
                found = True
                self.errors.append(
                    _error(
                        sheet,
                        row,
                        key,
                        _("At most %(limit)d characters (this has %(count)d).")
                        % {"limit": limit, "count": len(value)},
                    )
                )
        return found

    def project_for(self, sheet: Sheet, row: int, values: tuple, key: str) -> Project | None:
        raw = sheet.value(values, key)
        if raw is None or not str(raw).strip():
            self.errors.append(_error(sheet, row, key, _("The project number is missing.")))
            return None
        number = _as_int(raw)
        if number is None:
            self.errors.append(
                _error(sheet, row, key, _("%(value)s is not a project number.") % {"value": _as_text(raw)})
            )
            return None
        project = self.projects.get(number)
        if project is None:
            self.errors.append(
                _error(
                    sheet,
                    row,
                    key,
                    _(
                        "Project %(number)d does not exist. New projects are added in the admin, not by import."
                    )
                    % {"number": number},
                )
            )
        return project

    # The projects sheet

    def projects_sheet(self, sheet: Sheet) -> None:
        if "number" not in sheet.columns:
            message = _("The column %(column)s is missing.") % {"column": str(LIST_COLUMN_LABELS["number"]())}
            self.errors.append(_error(sheet, 1, "", message))
            return
        seen: dict[int, int] = {}
        for row, values in sheet.rows:
            self.tick()
            if self.too_long(sheet, row, values):
                continue
            project = self.project_for(sheet, row, values, "number")
            if project is None:
                continue
            if project.number in seen:
                self.errors.append(
                    _error(
                        sheet,
                        row,
                        "number",
                        _("Project %(number)d appears twice in this sheet (also row %(row)d).")
                        % {"number": project.number, "row": seen[project.number]},
                    )
                )
                continue
            seen[project.number] = row
            if "version" in sheet.columns or "updated" in sheet.columns:
                self.version_cells[project.number] = (sheet, row, sheet.value(values, "version"))
            self.project_row(sheet, row, values, project)

    def project_row(self, sheet: Sheet, row: int, values: tuple, project: Project) -> None:
        edit = _ProjectEdit(project=project, sheet=sheet.title, row=row)
        errors_before = len(self.errors)

        def error(key, message):
            self.errors.append(_error(sheet, row, key, message))

        for key in ("name", "name_en"):
            if key not in sheet.columns:
                continue
            text = _as_text(sheet.value(values, key))
            if not text.strip():
                error(key, _("This column must not be empty."))
                continue
            max_length = Project._meta.get_field(key).max_length
            if len(text) > max_length:
                error(
                    key,
                    _("At most %(limit)d characters (this has %(count)d).")
                    % {"limit": max_length, "count": len(text)},
                )
                continue
            if not _same_text(text, getattr(project, key)):
                edit.fields[key] = text
                self.change(
                    sheet, row, project, key, getattr(project, key), text, old=getattr(project, key), new=text
                )

        if "country" in sheet.columns:
            text = _as_text(sheet.value(values, "country"))
            country = self.lookups.countries.get(_norm(text))
            if country is None:
                error(
                    "country",
                    _("Unknown country: %(value)s") % {"value": text}
                    if text.strip()
                    else _("The country is missing."),
                )
            elif country.pk != project.country_id:
                edit.fields["country"] = country
                self.change(
                    sheet,
                    row,
                    project,
                    "country",
                    project.country.name,
                    country.name,
                    old=project.country.iso_code,
                    new=country.iso_code,
                )

        for key, lookup, required in (
            ("sectors", self.lookups.sectors, True),
            ("schemes", self.lookups.schemes, False),
        ):
            if key not in sheet.columns:
                continue
            text = _as_text(sheet.value(values, key))
            found, unknown = _split_names(text, lookup, self.lookups.spans[key])
            if unknown:
                message = (
                    _("Unknown sector: %(value)s") if key == "sectors" else _("Unknown scheme: %(value)s")
                )
                error(key, message % {"value": "、".join(unknown)})
                continue
            if required and not found:
                error(key, _("A project has at least one sector."))
                continue
            current = list(getattr(project, key).all())
            if {o.pk for o in found} != {o.pk for o in current}:
                setattr(edit, key, found)
                self.change(
                    sheet,
                    row,
                    project,
                    key,
                    _names(current),
                    _names(found),
                    old=sorted(o.code for o in current),
                    new=sorted(o.code for o in found),
                )

        if "status" in sheet.columns:
            text = _as_text(sheet.value(values, "status"))
            status = self.lookups.statuses.get(_norm(text))
            if status is None:
                error(
                    "status",
                    _("Unknown status: %(value)s (use one of: %(codes)s)")
                    % {"value": text, "codes": ", ".join(str(label) for label in Status.labels)}
                    if text.strip()
                    else _("The status is missing."),
                )
            elif status != project.status:
                edit.status = status
                labels = choices.labels(Status)
                self.change(
                    sheet,
                    row,
                    project,
                    "status",
                    str(labels[project.status]),
                    str(labels[status]),
                    old=project.status,
                    new=status,
                )

        if "is_new" in sheet.columns:
            raw = sheet.value(values, "is_new")
            text = _norm(_as_text(raw))
            if isinstance(raw, bool):
                flag = raw
            elif text in self.lookups.yes:
                flag = True
            elif text in self.lookups.no:
                flag = False
            else:
                flag = None
                error("is_new", _("Write yes or leave it empty, not %(value)s.") % {"value": _as_text(raw)})
            if flag is not None and flag != project.is_new:
                edit.fields["is_new"] = flag
                self.change(
                    sheet,
                    row,
                    project,
                    "is_new",
                    _yes_no(project.is_new),
                    _yes_no(flag),
                    old=project.is_new,
                    new=flag,
                )

        if len(self.errors) == errors_before and (
            edit.fields or edit.sectors is not None or edit.schemes is not None or edit.status
        ):
            self.project_edits.append(edit)

    # The developments sheet

    def developments_sheet(self, sheet: Sheet) -> None:
        for key in ("project_number", "sequence", "text"):
            if key not in sheet.columns:
                self.errors.append(
                    _error(
                        sheet,
                        1,
                        "",
                        _("The column %(column)s is missing.")
                        % {"column": str(DEVELOPMENT_COLUMN_LABELS[key]())},
                    )
                )
                return
        developments: dict[tuple[int, int], Development] = {}
        wanted = {
            p.pk
            for p in (self.projects.get(_as_int(sheet.value(v, "project_number"))) for _row, v in sheet.rows)
            if p is not None
        }
        for development in Development.objects.filter(project_id__in=wanted).select_related("project"):
            developments[(development.project_id, development.sequence)] = development
        seen: dict[tuple[int, int], int] = {}
        for row, values in sheet.rows:
            self.tick()
            if self.too_long(sheet, row, values):
                continue
            project = self.project_for(sheet, row, values, "project_number")
            if project is None:
                continue
            raw_sequence = sheet.value(values, "sequence")
            if raw_sequence is None or not str(raw_sequence).strip():
                self.development_row(sheet, row, values, project, None)
                continue
            sequence = _as_int(raw_sequence)
            development = developments.get((project.pk, sequence)) if sequence is not None else None
            if development is None:
                self.errors.append(
                    _error(
                        sheet,
                        row,
                        "sequence",
                        _(
                            "Project %(number)d has no development No. %(sequence)s. Leave No. empty "
                            "to add a development."
                        )
                        % {"number": project.number, "sequence": _as_text(raw_sequence)},
                    )
                )
                continue
            if (project.pk, sequence) in seen:
                self.errors.append(
                    _error(
                        sheet,
                        row,
                        "sequence",
                        _(
                            "Development %(number)d-%(sequence)d appears twice in this sheet (also row %(row)d)."
                        )
                        % {
                            "number": project.number,
                            "sequence": sequence,
                            "row": seen[(project.pk, sequence)],
                        },
                    )
                )
                continue
            seen[(project.pk, sequence)] = row
            self.development_row(sheet, row, values, project, development)

    def development_row(self, sheet, row, values, project, development: Development | None) -> None:
        errors_before = len(self.errors)
        kind_labels = choices.labels(DevelopmentKind)
        new = {}

        def error(key, message):
            self.errors.append(_error(sheet, row, key, message))

        text = _as_text(sheet.value(values, "text"))
        if not text.strip():
            error("text", _("The text of a development must not be empty."))
        else:
            new["text"] = text

        if "kind" in sheet.columns:
            raw = _as_text(sheet.value(values, "kind"))
            kind = self.lookups.kinds.get(_norm(raw)) if raw.strip() else DevelopmentKind.OTHER
            if kind is None:
                error(
                    "kind",
                    _("Unknown kind: %(value)s (use one of: %(codes)s)")
                    % {"value": raw, "codes": ", ".join(str(label) for label in DevelopmentKind.labels)},
                )
            else:
                new["kind"] = kind
        elif development is None:
            new["kind"] = DevelopmentKind.OTHER

        if "date" in sheet.columns:
            raw = sheet.value(values, "date")
            if development is not None and _same_date_text(raw, development):
                pass
            else:
                parsed = parse_date_cell(raw)
                if parsed is None:
                    error(
                        "date",
                        _(
                            "Cannot read the date %(value)s. Write e.g. 2024-03, 2024-03-15, 2024, FY2024, "
                            "2024年3月 or 2022年11月～2023年1月."
                        )
                        % {"value": _as_text(raw)},
                    )
                else:
                    if development is None and parsed[0] is None and "text" in new:
                        # An added development without a date gets the one its text gives, as the plan's do.
                        parsed = tuple(parse_development_date(new["text"]))
                    new["date"], new["date_precision"], new["date_end"] = parsed
        elif development is None and "text" in new:
            new["date"], new["date_precision"], new["date_end"] = parse_development_date(new["text"])

        if "source" in sheet.columns:
            source = _as_text(sheet.value(values, "source"))
            limit = Development._meta.get_field("source").max_length
            if len(source) > limit:
                error(
                    "source",
                    _("At most %(limit)d characters (this has %(count)d).")
                    % {"limit": limit, "count": len(source)},
                )
            else:
                new["source"] = source

        if len(self.errors) > errors_before:
            return
        sequence = development.sequence if development else None
        if development is None:
            edit = _DevelopmentEdit(project=project, sheet=sheet.title, row=row, development=None, values=new)
            self.development_edits.append(edit)
            shown = {
                "date": format_partial_date(new.get("date"), new.get("date_precision"), new.get("date_end")),
                "kind": str(kind_labels[new["kind"]]),
                "text": new["text"],
                "source": new.get("source", ""),
            }
            raw_new = {
                "date": [_iso(new.get("date")), new.get("date_precision", "none"), _iso(new.get("date_end"))],
                "kind": new["kind"],
                "text": new["text"],
                "source": new.get("source", ""),
            }
            for key in DEVELOPMENT_EDITABLE:
                if key in ("date", "text", "kind") or shown[key]:
                    self.change(
                        sheet, row, project, key, "", shown[key], old=None, new=raw_new[key], action="add"
                    )
            return
        changed = {}
        if "text" in new and not _same_text(new["text"], development.text):
            changed["text"] = new["text"]
            self.change(
                sheet,
                row,
                project,
                "text",
                development.text,
                new["text"],
                old=development.text,
                new=new["text"],
                sequence=sequence,
            )
        if "kind" in new and new["kind"] != development.kind:
            changed["kind"] = new["kind"]
            self.change(
                sheet,
                row,
                project,
                "kind",
                str(kind_labels[development.kind]),
                str(kind_labels[new["kind"]]),
                old=development.kind,
                new=new["kind"],
                sequence=sequence,
            )
        if "date" in new:
            before = (development.date, development.date_precision, development.date_end)
            after = (new["date"], new["date_precision"], new["date_end"])
            if before != after:
                changed.update(date=after[0], date_precision=after[1], date_end=after[2])
                self.change(
                    sheet,
                    row,
                    project,
                    "date",
                    format_partial_date(*before),
                    format_partial_date(*after),
                    old=[_iso(before[0]), before[1], _iso(before[2])],
                    new=[_iso(after[0]), after[1], _iso(after[2])],
                    sequence=sequence,
                )
        if "source" in new and not _same_text(new["source"], development.source):
            changed["source"] = new["source"]
            self.change(
                sheet,
                row,
                project,
                "source",
                development.source,
                new["source"],
                old=development.source,
                new=new["source"],
                sequence=sequence,
            )
        if changed:
            self.development_edits.append(
                _DevelopmentEdit(
                    project=project, sheet=sheet.title, row=row, development=development, values=changed
                )
            )

    def check_stale(self) -> None:
        """Refuse rows of projects saved after the file was exported: applying would undo that.

        The projects sheet's hidden Version column holds each project's version at export time,
        as the admin and the API check it (optimistic locking): any save since, even in the same
        minute, makes it differ. A file exported before that column existed has only the
        minute-rounded Updated column, which cannot tell; its rows that change something are
        refused, asking for a fresh export. A sheet with neither column (made by hand, not
        exported) is not checked: its preview shows every value it would replace.
        """
        for number in sorted(self.changed_projects):
            if number not in self.version_cells:
                continue
            sheet, row, in_file = self.version_cells[number]
            project = self.projects[number]
            if "version" not in sheet.columns:
                message = _(
                    "This file has no %(column)s column (it was exported by an earlier version of the "
                    "tracker), so changes made to project %(number)d since the export cannot be told "
                    "apart. Export again and redo your edits."
                ) % {"column": str(LIST_COLUMN_LABELS["version"]()), "number": number}
                self.errors.append(_error(sheet, row, "updated", message))
                continue
            if _as_int(in_file) == project.version:
                continue
            self.errors.append(
                _error(
                    sheet,
                    row,
                    "version",
                    _(
                        "Project %(number)d was saved at %(current)s, after this file was exported (its "
                        "version is %(version)d now, %(in_file)s in the file). Importing would undo that "
                        "change: export again and redo your edits."
                    )
                    % {
                        "number": number,
                        "current": tokyo_minute(project.updated),
                        "version": project.version,
                        "in_file": _as_text(in_file) or "—",
                    },
                )
            )


def build_preview(parsed: ParsedFile, *, progress: Progress | None = None) -> Preview:
    """The changes the file would make, and its errors, against the data as it is now."""
    return _PreviewBuilder(parsed, progress).run()
