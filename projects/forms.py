"""Admin forms: the project form with its optimistic lock and status section, developments
with partial dates, and the bulk status change."""

import re
import unicodedata
from datetime import date
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.models import DatePrecision, Development, Project, Status
from projects.services import StaleVersion, project_lock


class PartialDate(NamedTuple):
    """A date known to a day, a month, a year or a Japanese fiscal year (April to March)."""

    date: date
    precision: str


_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_YEAR = re.compile(r"^(\d{4})\s*年?$")
_FISCAL_YEAR = re.compile(r"^(?:fy\s*(\d{4})|(\d{4})\s*年度)$")


def parse_partial_date(value: str) -> PartialDate | None:
    """Read what a desk officer types: 2024, 2024-03, 2024-03-15, FY2024 or 2024年度.

    Full-width digits and letters are accepted ("２０２４年３月"), and so are "/" and "."
    as separators and the Japanese 年月日 forms. Empty input is no date (None).
    """
    text = unicodedata.normalize("NFKC", value or "").strip().casefold()
    if not text:
        return None
    try:
        if match := _FISCAL_YEAR.match(text):
            return PartialDate(date(int(match[1] or match[2]), 4, 1), DatePrecision.FISCAL_YEAR)
        if match := _DAY.match(text):
            return PartialDate(date(int(match[1]), int(match[2]), int(match[3])), DatePrecision.DAY)
        if match := _MONTH.match(text):
            return PartialDate(date(int(match[1]), int(match[2]), 1), DatePrecision.MONTH)
        if match := _YEAR.match(text):
            return PartialDate(date(int(match[1]), 1, 1), DatePrecision.YEAR)
    except ValueError as exc:
        raise ValidationError(
            _("There is no such date: %(value)s"), code="invalid", params={"value": value}
        ) from exc
    raise ValidationError(_("Enter a date as 2024, 2024-03, 2024-03-15, FY2024 or 2024年度."), code="invalid")


def format_partial_date_input(value: date | None, precision: str) -> str:
    """The form `parse_partial_date` reads back: 2024-03-15, 2024-03, 2024 or FY2024."""
    if value is None or precision == DatePrecision.NONE:
        return ""
    if precision == DatePrecision.DAY:
        return value.strftime("%Y-%m-%d")
    if precision == DatePrecision.MONTH:
        return value.strftime("%Y-%m")
    if precision == DatePrecision.FISCAL_YEAR:
        return f"FY{value.year}"
    return str(value.year)


class PartialDateWidget(forms.TextInput):
    """A short text box: typing "2024-03" is faster than picking a day nobody knows."""

    def __init__(self, attrs=None):
        super().__init__({"size": 11, "placeholder": "YYYY-MM", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, PartialDate):
            return format_partial_date_input(value.date, value.precision)
        return super().format_value(value)


class PartialDateField(forms.Field):
    widget = PartialDateWidget
    default_error_messages = {"invalid": _("Enter a date as 2024, 2024-03, 2024-03-15, FY2024 or 2024年度.")}

    def to_python(self, value):
        if isinstance(value, PartialDate):
            return value
        return parse_partial_date(value)

    def prepare_value(self, value):
        if isinstance(value, PartialDate):
            return format_partial_date_input(value.date, value.precision)
        return value


class StatusDateInput(forms.DateInput):
    """The browser's date picker; the value travels as ISO 8601 whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


PROJECT_FIELDS = [
    "number",
    "name",
    "name_en",
    "country",
    "listing_group",
    "sectors",
    "schemes",
    "is_new",
    "summary",
    "note",
]


class ProjectAdminForm(forms.ModelForm):
    """The project's own fields, its version for the optimistic lock, and a status change.

    On the add page the status fields give the first status; on the change page they record a
    change of status (written by `project_change_status` when the page is saved).
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    new_status = forms.ChoiceField(
        label=_("New status"),
        choices=[("", "---------"), *Status.choices],
        required=False,
        help_text=_("Leave empty to keep the current status."),
    )
    status_effective_on = forms.DateField(
        label=_("Effective date"),
        required=False,
        widget=StatusDateInput,
        help_text=_("The day the new status took effect, if known."),
    )
    status_note = forms.CharField(
        label=_("Note on the status change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("The evidence: a meeting, an embassy report, a press release."),
    )

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = {
            "sectors": forms.CheckboxSelectMultiple,
            "schemes": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 4, "cols": 80}),
            "note": forms.Textarea(attrs={"rows": 2, "cols": 80}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
        elif "new_status" in self.fields:
            self.fields["new_status"].label = _("Status")
            self.fields["new_status"].choices = Status.choices
            self.fields["new_status"].initial = Status.IDENTIFICATION
            self.fields["new_status"].help_text = ""
            self.fields["status_note"].label = _("Note on the status")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._check_version(cleaned.get("expected_version"))
            new_status = cleaned.get("new_status")
            if new_status and new_status == self.instance.status:
                self.add_error("new_status", gettext("The project already has this status."))
            elif not new_status and (cleaned.get("status_effective_on") or cleaned.get("status_note")):
                # A date or note typed without a status would otherwise be dropped silently.
                self.add_error("new_status", gettext("Choose the new status, or clear its date and note."))
        return cleaned

    def _check_version(self, version):
        if version is None:
            raise ValidationError(gettext("The form is missing its version. Reload the page."), code="stale")
        try:
            # Inside the admin's request transaction this lock holds until the save commits,
            # so nobody can slip a change in between this check and our writes.
            with transaction.atomic():
                project_lock(project=self.instance, expected_version=version)
        except StaleVersion as exc:
            raise ValidationError(str(exc), code="stale") from exc

    def project_fields(self) -> dict:
        """The changed own fields, as keyword arguments for `project_update`."""
        values = {name: self.cleaned_data[name] for name in self.changed_data if name in PROJECT_FIELDS}
        for name in ("sectors", "schemes"):
            if name in values:
                values[name] = list(values[name])
        return values


class DevelopmentForm(forms.ModelForm):
    """One development; its date is typed with the precision the source gives."""

    when = PartialDateField(
        label=_("Date"),
        required=False,
        help_text=_("2024, 2024-03, 2024-03-15 or FY2024. Empty: as of the source."),
    )
    until = PartialDateField(label=_("Until"), required=False, help_text=_("For a range: its last period."))

    class Meta:
        model = Development
        fields = ["kind", "text", "source"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2, "cols": 50}),
            "source": forms.TextInput(attrs={"size": 16}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and instance.date is not None:
            self.initial.setdefault("when", PartialDate(instance.date, instance.date_precision))
            if instance.date_end is not None:
                self.initial.setdefault("until", PartialDate(instance.date_end, instance.date_precision))

    def clean(self):
        cleaned = super().clean()
        when, until = cleaned.get("when"), cleaned.get("until")
        if until is not None:
            if when is None:
                self.add_error("until", gettext("A range needs its start date too."))
            elif until.precision != when.precision:
                self.add_error("until", gettext("Write the end of a range in the same form as its start."))
            elif until.date <= when.date:
                self.add_error("until", gettext("The end of a range must come after its start."))
        return cleaned

    def development_values(self) -> dict:
        """The fields as keyword arguments for `development_add` and `development_update`."""
        when, until = self.cleaned_data.get("when"), self.cleaned_data.get("until")
        return {
            "kind": self.cleaned_data["kind"],
            "text": self.cleaned_data["text"],
            "source": self.cleaned_data.get("source", ""),
            "date": when.date if when else None,
            "date_precision": when.precision if when else DatePrecision.NONE,
            "date_end": until.date if until else None,
        }


class BulkStatusForm(forms.Form):
    """The confirmation page of the "change status of selected projects" action."""

    status = forms.ChoiceField(label=_("New status"), choices=[("", "---------"), *Status.choices])
    effective_on = forms.DateField(label=_("Effective date"), required=False, widget=StatusDateInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("One note for all the selected projects: the evidence for the change."),
    )
