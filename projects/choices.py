"""The projects app's fixed sets of values (Django TextChoices).

They live apart from models.py so that modules the models import, or that must not import the
models (querysets.py, dates.py), can use them. `projects.models` imports them, so
`from projects.models import Status` keeps working: an import, not a second definition.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SchemeFamily(models.TextChoices):
    ODA = "ODA", _("ODA")
    PPP = "PPP", _("PPP")
    JOIN = "JOIN", _("JOIN")
    PRIVATE = "PRIVATE", _("Private")


class Status(models.TextChoices):
    """The current stage of a project, as a Japanese bidder sees it (DOMAIN.md)."""

    IDENTIFICATION = "identification", _("Identification")
    PREPARATION = "preparation", _("Preparation")
    PROCUREMENT = "procurement", pgettext_lazy("status", "Procurement")
    IMPLEMENTATION = "implementation", _("Implementation")
    OPERATION = "operation", _("Operation")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    FISCAL_YEAR = "fiscal_year", _("Fiscal year")
    NONE = "none", _("No date")


class DevelopmentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement")
    DECISION = "decision", _("Decision")
    STUDY = "study", _("Study")
    PROCUREMENT = "procurement", pgettext_lazy("development kind", "Procurement")
    AWARD = "award", _("Award to a Japanese company")
    CONSTRUCTION = "construction", _("Construction")
    PILOT = "pilot", _("Pilot")
    DIPLOMACY = "diplomacy", _("Diplomacy")
    SETBACK = "setback", _("Setback")
    OTHER = "other", _("Other")


def labels(choices: type[models.Choices]) -> dict[str, str]:
    """value → label of `choices`, translated now (in the active language)."""
    return {value: str(label) for value, label in choices.choices}
