"""Adding and removing watches: the one place that turns a kind and a code (a project number,
an ISO country code, a region, sector or scheme code) into a watch, for the pages and the API."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from countries.models import Country, Region
from projects.models import Project, Scheme, Sector
from watches.models import TARGETS, Watch

# Each kind of target: its model and the field its code is matched on (case ignored).
TARGET_CODES = {
    "project": (Project, "number"),
    "country": (Country, "iso_code"),
    "region": (Region, "code"),
    "sector": (Sector, "code"),
    "scheme": (Scheme, "code"),
}
assert tuple(TARGET_CODES) == TARGETS


def target_by_code(kind: str, code) -> object:
    """The project, country, region, sector or scheme of that kind and code; a ValidationError
    on `kind` or `code` if there is none."""
    if kind not in TARGET_CODES:
        raise ValidationError({"kind": _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(TARGETS)}})
    model, field = TARGET_CODES[kind]
    code = str(code).strip()
    target = None
    if kind == "project":
        if code.isdigit() and len(code) <= 9:
            target = model.objects.filter(number=int(code)).first()
    elif 0 < len(code) <= 40:
        target = model.objects.filter(**{f"{field}__iexact": code}).first()
    if target is None:
        raise ValidationError(
            {"code": _("No %(kind)s has the code “%(code)s”.") % {"kind": kind, "code": code}}
        )
    return target


@transaction.atomic
def watch_add(*, user, kind: str, code) -> Watch:
    """Watch the target of that kind and code; a ValidationError if unknown or already watched."""
    target = target_by_code(kind, code)
    if Watch.objects.filter(user=user, **{kind: target}).exists():
        raise ValidationError({"code": _("You already watch this.")})
    try:
        with transaction.atomic():
            return Watch.objects.create(user=user, **{kind: target})
    except IntegrityError:  # the same watch added at the same moment by another request
        raise ValidationError({"code": _("You already watch this.")}) from None


def watch_toggle_project(*, user, project: Project) -> bool:
    """Star or unstar a project for `user`; whether they watch it now."""
    deleted, _rows = Watch.objects.filter(user=user, project=project).delete()
    if deleted:
        return False
    Watch.objects.get_or_create(user=user, project=project)
    return True
