"""Who changed a project last, and when: the one answer for the admin's refusal of a stale
save and the API's 412.

A project's write is audited on the row it changed (the project, one of its developments or
status changes), so the latest of the three audit tables tells. Data loaded from the plan's
fixture has no audit row at all; a row written without a user came from a command.

The audit rows are django-simple-history's. Its switches are attributes of the instance being
saved, set here and nowhere else: `_history_user` (who made the change, the way simple-history
documents for saves outside a request), `skip_history_when_saving` (no row for this save) and
the historical model's `_history_m2m_fields` (not public API: the many-to-many fields it tracks).
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max
from django.utils.translation import gettext_lazy

from projects.models import Development, Project, StatusChange

# The plan's fixture is loaded without audit rows: its data is "the 2023 plan's import".
PLAN_IMPORT = gettext_lazy("2023 plan import")
NO_USER = gettext_lazy("a command (no user)")


def editor_label(user, *, plan_import: bool = False) -> str:
    """A person's name as the admin shows it (full name, else the login name).

    An audit row without a user is the plan's import when `plan_import` (see
    `is_plan_import`), else a command's.
    """
    if user is None:
        return str(PLAN_IMPORT if plan_import else NO_USER)
    return user.get_full_name() or user.get_username()


def is_plan_import(record, *, first: bool) -> bool:
    """Loading the fixture writes no audit row of its own, but setting a project's sectors
    and schemes leaves one "changed" row without a user: the object's first row. The services
    always name their user, or write "added" first."""
    return record.history_user_id is None and record.history_type == "~" and first


@dataclass
class LastChange:
    editor: str
    when: datetime | None


def last_change(project: Project) -> LastChange:
    records = [
        model.history.filter(**{key: project.pk})
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
        for model, key in ((Project, "id"), (Development, "project_id"), (StatusChange, "project_id"))
    ]
    records = [record for record in records if record is not None]
    if not records:
        return LastChange(str(PLAN_IMPORT), project.updated)
    latest = max(records, key=lambda record: record.history_date)
    first = not type(latest).objects.filter(id=latest.id, history_id__lt=latest.history_id).exists()
    plan_import = is_plan_import(latest, first=first)
    return LastChange(editor_label(latest.history_user, plan_import=plan_import), latest.history_date)


# The audit tables of a project's rows, keyed as in a history mark.
MARK_MODELS = {"p": (Project, "id"), "d": (Development, "project_id"), "s": (StatusChange, "project_id")}


def history_mark(project_id) -> str:
    """The newest audit row of the project, its developments and status changes: "p3.d17.s2".

    A change page carries it, so a save refused as stale can list what others did since.
    """
    parts = []
    for key, (model, lookup) in MARK_MODELS.items():
        latest = model.history.filter(**{lookup: project_id}).aggregate(latest=Max("history_id"))["latest"]
        parts.append(f"{key}{latest or 0}")
    return ".".join(parts)


def record_as(instance, user) -> None:
    """The next save of `instance` writes its audit row as made by `user` (None: no user)."""
    instance._history_user = user


@contextmanager
def without_audit(instance):
    """Saves of `instance` inside the block write no audit row (the caller writes one after)."""
    instance.skip_history_when_saving = True
    try:
        yield instance
    finally:
        del instance.skip_history_when_saving


def tracked_m2m_fields(model) -> list:
    """The many-to-many fields whose values the model's audit rows hold."""
    return list(model.history.model._history_m2m_fields)
