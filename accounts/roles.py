"""The three roles, as auth groups with their permissions. Kept in sync after every migrate."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

VIEWER = "閲覧者"
EDITOR = "担当者"
ADMINISTRATOR = "管理者"


# Models whose rows are project data, and the reference data only administrators edit.
DATA_APP_MODELS = {
    "projects": ["project", "development", "statuschange", "importbatch"],
    "plans": ["edition", "heading", "listing", "removal"],
}
REFERENCE_APP_MODELS = {
    "countries": ["region", "country"],
    "projects": ["sector", "scheme"],
}
# Models of a user's own rows: every role keeps its own (the views show each user theirs only).
OWN_APP_MODELS = {
    "savedfilters": ["savedfilter"],
    "watches": ["watch"],
    "digests": ["preference"],
}
HISTORY_APP_MODELS = {
    "projects": ["historicalproject", "historicaldevelopment", "historicalstatuschange"],
}

# Editors change projects and add developments and status changes. They correct or delete
# the developments they recorded themselves (see may_change_development); the others' are
# the administrators' (manage_others_development). The status history is append-only for
# them: no change or delete of StatusChange, and no other deletes of project data.
EDITOR_EXTRA = [
    ("projects", "add_project"),
    ("projects", "change_project"),
    ("projects", "add_development"),
    ("projects", "change_development"),
    ("projects", "delete_development"),
    ("projects", "add_statuschange"),
    ("projects", "add_importbatch"),
    ("projects", "change_importbatch"),
    # The yearly list: they start next year's draft and edit it (its headings, listings and
    # removals); publishing it is the administrators' (plans.publish_edition).
    ("plans", "add_edition"),
    ("plans", "change_edition"),
    ("plans", "add_heading"),
    ("plans", "change_heading"),
    ("plans", "delete_heading"),
    ("plans", "add_listing"),
    ("plans", "change_listing"),
    ("plans", "delete_listing"),
    ("plans", "add_removal"),
    ("plans", "change_removal"),
    ("plans", "delete_removal"),
]


def _own_or_manager(user, development, action: str) -> bool:
    if not user.has_perm(f"projects.{action}_development"):
        return False
    if user.has_perm("projects.manage_others_development"):
        return True
    return development.recorded_by_id is not None and development.recorded_by_id == user.pk


def may_change_development(user, development) -> bool:
    """An editor corrects a development they recorded; an administrator, anyone's."""
    return _own_or_manager(user, development, "change")


def may_delete_development(user, development) -> bool:
    """An editor deletes a development they recorded by mistake; an administrator, anyone's."""
    return _own_or_manager(user, development, "delete")


def _view_permissions():
    q = Q()
    for app, models in DATA_APP_MODELS.items():
        q |= Q(content_type__app_label=app, codename__in=[f"view_{m}" for m in models])
    for mapping in (REFERENCE_APP_MODELS, HISTORY_APP_MODELS):
        for app, models in mapping.items():
            q |= Q(content_type__app_label=app, codename__in=[f"view_{m}" for m in models])
    return Permission.objects.filter(q)


def _own_permissions():
    q = Q()
    for app, models in OWN_APP_MODELS.items():
        actions = ("view", "add", "change", "delete")
        q |= Q(content_type__app_label=app, codename__in=[f"{a}_{m}" for a in actions for m in models])
    return Permission.objects.filter(q)


def role_permissions(role: str):
    if role == ADMINISTRATOR:
        return Permission.objects.all()
    perms = _view_permissions() | _own_permissions()
    if role == EDITOR:
        q = Q()
        for app, codename in EDITOR_EXTRA:
            q |= Q(content_type__app_label=app, codename=codename)
        perms = perms | Permission.objects.filter(q)
    return perms


def sync_roles() -> dict[str, int]:
    """Create the role groups and set exactly their permissions. Returns permission counts."""
    counts = {}
    for role in (VIEWER, EDITOR, ADMINISTRATOR):
        group, _created = Group.objects.get_or_create(name=role)
        perms = list(role_permissions(role).distinct())
        group.permissions.set(perms)
        counts[role] = len(perms)
    return counts
