"""Who changed a project last, and when: the one answer for the admin's refusal of a stale
save and the API's 412.

A project's write is audited on the row it changed (the project, one of its developments or
status changes), so the latest of the three audit tables tells. Data loaded from the plan's
fixture has no audit row at all; a row written without a user came from a command.

The audit rows are django-simple-history's. Its switches are attributes of the instance being
saved, set here and nowhere else: `_history_user` (who made the change, the way simple-history
documents for saves outside a request), `skip_history_when_saving` (no row for this save) and
the historical model's `_history_m2m_fields` (not public API: the many-to-many fields it tracks).

Every audit row also says where the change came from, in simple-history's change reason
(`history_change_reason`): the "via" of the change log (changes.log) — "admin", "api", "bulk",
"import:<batch id>" or "" (a command) — followed by " folded" when the row is part of another
row's entry and is not an entry of its own: the project's row a status change writes beside
its StatusChange row, a new project's first status change, the rows of a deleted project's
developments and status changes, and the rows an import writes (the import is one entry).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

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


# What an audit row is, as a change: its kind by model and history type, and each kind's name.
# The one vocabulary of the change log (changes.log) and the outbox (events.models.EventKind).
ROW_KINDS = {
    Project: {"+": "project_added", "~": "project_changed", "-": "project_deleted"},
    Development: {"+": "development_added", "~": "development_changed", "-": "development_deleted"},
    StatusChange: {"+": "status_changed", "~": "status_change_edited", "-": "status_change_deleted"},
}
CHANGE_KINDS = {
    "project_added": gettext_lazy("Project added"),
    "project_changed": gettext_lazy("Project changed"),
    "project_deleted": gettext_lazy("Project deleted"),
    "development_added": gettext_lazy("Development added"),
    "development_changed": gettext_lazy("Development changed"),
    "development_deleted": gettext_lazy("Development deleted"),
    "status_changed": gettext_lazy("Status changed"),
    "status_change_edited": gettext_lazy("Status change edited"),
    "status_change_deleted": gettext_lazy("Status change deleted"),
}

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


def record_as(instance, user, *, folded: bool = False) -> None:
    """The next save of `instance` writes its audit row as made by `user` (None: no user).

    `folded`: the row belongs to another row's change-log entry (see the module's docstring).
    """
    instance._history_user = user
    instance._audit_folded = folded


# The change reason's parts (the module's docstring).
VIA_ADMIN, VIA_API, VIA_BULK, VIA_IMPORT = "admin", "api", "bulk", "import"
FOLDED = " folded"
_origin: ContextVar[tuple[str, bool] | None] = ContextVar("audit_origin", default=None)
_deleting_projects: ContextVar[frozenset] = ContextVar("audit_deleting_projects", default=frozenset())


@contextmanager
def origin(via: str, *, folded: bool = False):
    """Audit rows written inside the block came `via` this path (and are folded, if told)."""
    token = _origin.set((via, folded))
    try:
        yield
    finally:
        _origin.reset(token)


def import_via(batch_id) -> str:
    return f"{VIA_IMPORT}:{batch_id}"


def _request_via() -> str:
    request = getattr(HistoricalRecords.context, "request", None)
    path = getattr(request, "path_info", "") or ""
    if path.startswith("/api/"):
        return VIA_API
    if path.startswith("/admin/"):
        return VIA_ADMIN
    return ""


@receiver(pre_create_historical_record, dispatch_uid="projects.audit.change_reason")
def _set_change_reason(sender, instance, history_instance, **kwargs):
    if not isinstance(instance, (Project, Development, StatusChange)):
        return
    via, folded = current_origin()
    folded = folded or part_of_another_change(instance)
    history_instance.history_change_reason = via + (FOLDED if folded else "")


def current_origin() -> tuple[str, bool]:
    """Where the audit rows written now come from, and whether the origin folds them all."""
    told = _origin.get()
    return told if told is not None else (_request_via(), False)


def part_of_another_change(instance) -> bool:
    """Whether the row being written for `instance` is part of another change of the same write
    (the project's row beside a status change, a new project's first status change, the rows
    of a deleted project's developments and status changes), whatever its origin."""
    if getattr(instance, "_audit_folded", False):
        return True
    return not isinstance(instance, Project) and instance.project_id in _deleting_projects.get()


@receiver(pre_delete, sender=Project, dispatch_uid="projects.audit.deleting")
def _project_deleting(sender, instance, **kwargs):
    _deleting_projects.set(_deleting_projects.get() | {instance.pk})


@receiver(post_delete, sender=Project, dispatch_uid="projects.audit.deleted")
def _project_deleted(sender, instance, **kwargs):
    # Its developments and status changes are deleted (and audited) before it.
    _deleting_projects.set(_deleting_projects.get() - {instance.pk})


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
