"""Two officers on one project page: a save based on an older version of the project.

The page carries what it was built from: the project's version (the optimistic lock), the
values it showed (Django's hidden initial values, `show_hidden_initial`), and the audit rows it
knew (`history_mark`). When the version is no longer current, `merge_onto_current` rebuilds
the posted data on top of the project as it now is:

- fields only the colleague changed take the colleague's value; fields only this officer
  changed keep what the officer typed; new developments are added whatever else happened;
- a real conflict is the same field, the same development, or the status changed by both:
  the page comes back with the officer's entries, the colleague's change beside them (a short
  diff from the audit history), and the current version, so one more Save applies them.

Without a conflict the merged data is saved at once: adding a development is never refused
because a colleague added one.
"""

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from projects.admin.history import AuditEntry, project_audit_trail
from projects.audit import MARK_MODELS as _MARK_MODELS
from projects.audit import history_mark
from projects.models import PROJECT_FIELDS, Development, StatusChange
from tracker.locale import is_english

# The most others' audit entries a refusal lists.
MAX_ENTRIES = 12


def _read_mark(text: str | None) -> dict[type, int] | None:
    mark = {}
    for part in (text or "").split("."):
        if part[:1] in _MARK_MODELS and part[1:].isdigit():
            mark[_MARK_MODELS[part[:1]][0]] = int(part[1:])
    return mark if len(mark) == len(_MARK_MODELS) else None


def changes_since(project_id, mark_text: str | None) -> list[AuditEntry]:
    """Others' audit entries after the page's mark, newest first (the latest few without one)."""
    mark = _read_mark(mark_text)
    entries = project_audit_trail(project_id)
    if mark is not None:
        entries = [entry for entry in entries if entry.history_id > mark.get(entry.model, 0)]
    return entries[:MAX_ENTRIES] if mark is not None else entries[:1]


@dataclass
class Conflict:
    """What happened since the officer's page, and where it collides with the officer's entries."""

    entries: list[AuditEntry]
    fields: dict[str, str] = field(default_factory=dict)  # project field -> their value
    developments: dict[str, str] = field(default_factory=dict)  # form prefix -> message
    status: str = ""  # the status they set, when the officer changes it too
    unresolved: bool = False  # others kept saving while we merged

    @property
    def refused(self) -> bool:
        return bool(self.fields or self.developments or self.status or self.unresolved)

    def who(self) -> str:
        names = []
        for entry in self.entries:
            name = entry.editor
            if name not in names:
                names.append(name)
        return (", " if is_english() else "、").join(names) or gettext("someone")

    def when(self) -> str:
        if not self.entries:
            return ""
        return formats.date_format(timezone.localtime(self.entries[0].when), "DATETIME_FORMAT")

    def summary(self) -> str:
        return gettext("%(user)s saved this project at %(time)s, after you opened it.") % {
            "user": self.who(),
            "time": self.when(),
        }

    def add_form_errors(self, form) -> None:
        if not self.refused:
            return
        count = len(self.fields) + len(self.developments) + bool(self.status)
        form.add_error(
            None,
            ValidationError(
                self.summary()
                + " "
                + ngettext(
                    "Your entry below collides with their change: check it, then save again to "
                    "apply your entries on top of their version.",
                    "Your %(count)d entries below collide with their change: check them, then save "
                    "again to apply your entries on top of their version.",
                    count,
                )
                % {"count": count},
                code="stale",
            ),
        )
        for name, theirs in self.fields.items():
            if name in form.fields:
                form.add_error(
                    name,
                    gettext("%(user)s changed this to “%(value)s”. Saving keeps your entry.")
                    % {"user": self.who(), "value": theirs},
                )
        if self.status and "new_status" in form.fields:
            form.add_error(
                "new_status",
                gettext("%(user)s already changed the status to %(status)s. Saving records yours after it.")
                % {"user": self.who(), "status": self.status},
            )

    def add_formset_errors(self, formset) -> None:
        for form in formset.forms:
            message = self.developments.get(form.prefix)
            if message:
                form.add_error(None, message)


# Posted values


def _norm(raw):
    if isinstance(raw, str):
        return raw.replace("\r\n", "\n")
    if isinstance(raw, list):
        return [_norm(item) for item in raw]
    return raw


def _raw(form_field, data, name):
    return _norm(form_field.widget.value_from_datadict(data, {}, name))


def _raw_initial(form_field, data, name):
    return _norm(form_field.hidden_widget().value_from_datadict(data, {}, f"initial-{name}"))


def _changed(form_field, before_python, after_raw) -> bool:
    if isinstance(before_python, str):
        before_python = _norm(before_python)
    try:
        return form_field.has_changed(before_python, after_raw)
    except ValidationError:
        return True


def _python(form_field, raw):
    try:
        return form_field.to_python(raw)
    except ValidationError:
        return raw


def _postable(form_field, value, *, hidden=False) -> list[str]:
    value = form_field.prepare_value(value)
    if isinstance(form_field, forms.BooleanField):
        if hidden:
            return [str(bool(value))]
        return ["on"] if value else []
    if value is None:
        return [""]
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return [str(value)]


def _shown(form_field, value) -> str:
    """A value as the colleague's change reads in a message."""
    if isinstance(value, list | tuple) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return (", " if is_english() else "、").join(str(item) for item in items)
    if hasattr(form_field, "choices") and not hasattr(value, "pk"):
        return str(dict(form_field.choices).get(value, value) if value not in (None, "") else "")
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    return str(value)


class _Data:
    """The merged data, written as a browser would post it."""

    def __init__(self, source: QueryDict):
        self.data = source.copy()

    def set(self, name, values):
        self.data.setlist(name, list(values))

    def drop_prefix(self, prefix):
        for key in [
            key for key in self.data if key.startswith(prefix) or key.startswith(f"initial-{prefix}")
        ]:
            del self.data[key]


def merge_onto_current(
    *, project, data: QueryDict, form, development_form_class, user
) -> tuple[QueryDict, Conflict]:
    """The officer's posted page rebuilt on top of `project` as stored now (see the module doc).

    `form` is the admin's project form, unbound, for the current project; it gives the fields
    the officer could post and their current values.
    """
    conflict = Conflict(entries=changes_since(project.pk, data.get("seen_history")))
    merged = _Data(data)
    for name in form.fields:
        if name not in PROJECT_FIELDS:
            continue
        form_field = form.fields[name]
        current = form[name].initial
        posted = _raw(form_field, data, name)
        if f"initial-{name}" in data:
            base = _raw_initial(form_field, data, name)
            ours = _changed(form_field, _python(form_field, base), posted)
            theirs = _changed(form_field, current, base)
        else:
            # A page without the values it showed: what differs from now is the officer's.
            ours, theirs = _changed(form_field, current, posted), False
        if ours:
            if theirs and _changed(form_field, current, posted):
                conflict.fields[name] = _shown(form_field, current)
        else:
            merged.set(name, _postable(form_field, current))
        merged.set(f"initial-{name}", _postable(form_field, current, hidden=True))

    they_changed_status = any(entry.model is StatusChange for entry in conflict.entries)
    if data.get("new_status") and they_changed_status:
        conflict.status = project.get_status_display()

    _merge_developments(project, data, merged, development_form_class, conflict, user)
    _merge_status_rows(project, data, merged)
    merged.set("expected_version", [str(project.version)])
    merged.set("seen_history", [history_mark(project.pk)])
    return merged.data, conflict


_ROW_FIELDS = ("kind", "text", "when", "until", "source")


def _is_on(value) -> bool:
    return str(value or "").lower() in ("on", "true", "1")


def _merge_developments(project, data, merged, form_class, conflict, user):
    prefix = "developments"
    if f"{prefix}-TOTAL_FORMS" not in data:
        return
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS"))
        initial = int(data.get(f"{prefix}-INITIAL_FORMS"))
    except (TypeError, ValueError):
        return
    posted_rows = {}
    for i in range(initial):
        pk = data.get(f"{prefix}-{i}-id")
        if pk and pk.isdigit():
            posted_rows[int(pk)] = i
    extras = []
    for i in range(initial, total):
        row = {
            key[len(f"{prefix}-{i}-") :]: data.getlist(key)
            for key in data
            if key.startswith(f"{prefix}-{i}-")
        }
        extras.append(row)
    current = list(
        Development.objects.filter(project=project).select_related("recorded_by").order_by("-sequence")
    )
    merged.drop_prefix(f"{prefix}-")
    rows = []
    for development in current:
        i = posted_rows.pop(development.pk, None)
        row, clash = _merge_development(project, development, form_class, data, f"{prefix}-{i}-", i)
        if clash:
            conflict.developments[f"{prefix}-{len(rows)}"] = gettext(
                "%(user)s changed this development too. Saving keeps your entry."
            ) % {"user": conflict.who()}
        rows.append(row)
    readded = _readded_developments(project, data, prefix, posted_rows)
    for offset in range(len(readded)):
        conflict.developments[f"{prefix}-{len(rows) + offset}"] = gettext(
            "%(user)s deleted the development you changed. Saving adds yours as a new one."
        ) % {"user": conflict.who()}
    _set_rows(merged, data, prefix, [*rows, *readded, *extras], initial=len(rows))


def _merge_development(project, development, form_class, data, key_prefix, i):
    """One stored development as the merged page posts it, and whether the officer's entry
    collides with a colleague's (both changed a field, or they changed what the officer deletes).
    `i` is the row the officer's page had for it (None: it is new since their page)."""
    unbound = form_class(instance=development)
    row = {"id": [str(development.pk)], "project": [str(project.pk)]}
    theirs_any = clash = False
    for name in _ROW_FIELDS:
        if name not in unbound.fields:
            continue
        form_field = unbound.fields[name]
        now = unbound[name].initial
        row[f"initial:{name}"] = _postable(form_field, now, hidden=True)
        if i is None:
            row[name] = _postable(form_field, now)
            continue
        key = f"{key_prefix}{name}"
        posted, base = _raw(form_field, data, key), _raw_initial(form_field, data, key)
        ours = _changed(form_field, _python(form_field, base), posted)
        theirs = _changed(form_field, now, base)
        theirs_any = theirs_any or theirs
        if ours:
            row[name] = data.getlist(key)
            clash = clash or (theirs and _changed(form_field, now, posted))
        else:
            row[name] = _postable(form_field, now)
    deleting = i is not None and _is_on(data.get(f"{key_prefix}DELETE"))
    if deleting:
        row["DELETE"] = ["on"]
    return row, clash or (deleting and theirs_any)


def _readded_developments(project, data, prefix, gone_rows) -> list[dict]:
    """Rows the officer edited that a colleague deleted meanwhile: they come back as new rows.
    `gone_rows` maps each posted development no longer stored to its row on the page."""
    readded = []
    for _pk, i in sorted(gone_rows.items(), key=lambda item: item[1]):
        row, edited = {}, False
        for name in _ROW_FIELDS:
            key = f"{prefix}-{i}-{name}"
            if key in data:
                row[name] = data.getlist(key)
                if f"initial-{key}" in data and data.getlist(key) != data.getlist(f"initial-{key}"):
                    edited = True
        if edited and not _is_on(data.get(f"{prefix}-{i}-DELETE")):
            row["project"] = [str(project.pk)]
            readded.append(row)
    return readded


def _set_rows(merged, data, prefix, rows, *, initial):
    """Write the rows as the formset's posted data; the first `initial` are stored rows."""
    for index, row in enumerate(rows):
        for name, values in row.items():
            if name.startswith("initial:"):
                merged.set(f"initial-{prefix}-{index}-{name[len('initial:') :]}", values)
            else:
                merged.set(f"{prefix}-{index}-{name}", values)
    merged.set(f"{prefix}-TOTAL_FORMS", [str(len(rows))])
    merged.set(f"{prefix}-INITIAL_FORMS", [str(initial)])
    for key in ("MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        if f"{prefix}-{key}" in data:
            merged.set(f"{prefix}-{key}", data.getlist(f"{prefix}-{key}"))


def _merge_status_rows(project, data, merged):
    """The read-only status history: the rows as they now are (nothing posted there is saved)."""
    prefix = "status_changes"
    if f"{prefix}-TOTAL_FORMS" not in data:
        return
    keep = {key: data.getlist(key) for key in ("MIN_NUM_FORMS", "MAX_NUM_FORMS") if f"{prefix}-{key}" in data}
    merged.drop_prefix(f"{prefix}-")
    ids = list(
        StatusChange.objects.filter(project=project).order_by("-sequence").values_list("pk", flat=True)
    )
    for index, pk in enumerate(ids):
        merged.set(f"{prefix}-{index}-id", [str(pk)])
        merged.set(f"{prefix}-{index}-project", [str(project.pk)])
    merged.set(f"{prefix}-TOTAL_FORMS", [str(len(ids))])
    merged.set(f"{prefix}-INITIAL_FORMS", [str(len(ids))])
    for key, values in keep.items():
        merged.set(f"{prefix}-{key}", values)
