"""Admin forms: the project form with its optimistic lock and status section, developments
with partial dates, and the bulk status change."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.audit import editor_label, history_mark
from projects.dates import (
    FIELD,
    NoSuchDate,
    NotADate,
    ParsedDate,
    format_partial_date_input,
    parse_partial_date,
)
from projects.models import PROJECT_FIELDS, PROJECT_RELATIONS, DatePrecision, Development, Project, Status


class OfficerChoiceField(forms.ModelMultipleChoiceField):
    """Responsible officers by their full names (editor_label), as the admin names people."""

    def label_from_instance(self, obj):
        return editor_label(obj)


def officer_choices(project: Project | None):
    """Active staff may be made responsible; officers already responsible stay listed."""
    eligible = Q(is_active=True, is_staff=True)
    if project is not None and project.pk:
        eligible |= Q(pk__in=project.responsible.values("pk"))
    return get_user_model().objects.filter(eligible).order_by("last_name", "first_name", "username")


DATE_FORMS_MESSAGE = _("Enter a date as 2024, 2024-03, 2024-03-15, FY2024, 2024年度 or 令和6年3月.")


def _typed_date(value) -> ParsedDate | None:
    try:
        return parse_partial_date(value, accept=FIELD)
    except NoSuchDate as exc:
        raise ValidationError(
            _("There is no such date: %(value)s"), code="invalid", params={"value": value}
        ) from exc
    except NotADate as exc:
        raise ValidationError(DATE_FORMS_MESSAGE, code="invalid") from exc


def _input_text(value: ParsedDate) -> str:
    return format_partial_date_input(value.date, value.precision)


class PartialDateWidget(forms.TextInput):
    """A short text box: typing "2024-03" is faster than picking a day nobody knows."""

    def __init__(self, attrs=None):
        super().__init__({"size": 11, "placeholder": "YYYY-MM", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, ParsedDate):
            return _input_text(value)
        return super().format_value(value)


class PartialDateField(forms.Field):
    """A date box that keeps the precision typed (projects.dates.parse_partial_date).

    A refused form shows back exactly what was typed ("2024年度" stays "2024年度").
    """

    widget = PartialDateWidget
    default_error_messages = {"invalid": DATE_FORMS_MESSAGE}

    def to_python(self, value):
        if isinstance(value, ParsedDate):
            return value
        return _typed_date(value)

    def prepare_value(self, value):
        if isinstance(value, ParsedDate):
            return _input_text(value)
        return value


def effective_kwargs(typed: ParsedDate | None) -> dict:
    """A typed effective date as the status services take it (effective_on and its precision)."""
    if typed is None:
        return {"effective_on": None}
    return {"effective_on": typed.date, "effective_precision": typed.precision}


class PageMarkField(forms.CharField):
    """A value the page carries for the save's own use: never a change to the project."""

    def has_changed(self, initial, data):
        return False


class ProjectAdminForm(forms.ModelForm):
    """The project's own fields, its version for the optimistic lock, and a status change.

    On the add page the status fields give the first status; on the change page they record a
    change of status (written by `project_change_status` when the page is saved).
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The audit rows the officer's page was built from (projects.audit.history_mark):
    # a refused save shows what others changed after them.
    seen_history = PageMarkField(widget=forms.HiddenInput, required=False)
    new_status = forms.ChoiceField(
        label=_("New status"),
        choices=[("", "---------"), *Status.choices],
        required=False,
        help_text=_("Leave empty to keep the current status."),
    )
    status_effective_on = PartialDateField(
        label=_("Effective date"),
        required=False,
        help_text=_("As precise as known: 2024-03-15, 2024-03, 2024年度 or 令和6年3月."),
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
        field_classes = {"responsible": OfficerChoiceField}
        widgets = {
            "sectors": forms.CheckboxSelectMultiple,
            "schemes": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 4, "cols": 80}),
            "note": forms.Textarea(attrs={"rows": 2, "cols": 80}),
        }

    # Set by the admin when the officer's page was older than the project (conflicts.py).
    conflict = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "responsible" in self.fields:
            self.fields["responsible"].queryset = officer_choices(self.instance)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
            if not self.is_bound:
                self.fields["seen_history"].initial = history_mark(self.instance.pk)
            for name in PROJECT_FIELDS:
                if name in self.fields:
                    # The values the page showed travel with it, so a save that comes after a
                    # colleague's writes only the fields this officer changed.
                    self.fields[name].show_hidden_initial = True
            if "new_status" in self.fields and not self.is_bound:
                self.fields["new_status"].choices = [
                    choice
                    for choice in self.fields["new_status"].choices
                    if choice[0] != self.instance.status
                ]
        elif "new_status" in self.fields:
            self.fields["new_status"].label = _("Status")
            self.fields["new_status"].choices = Status.choices
            self.fields["new_status"].initial = Status.IDENTIFICATION
            self.fields["new_status"].help_text = ""
            self.fields["status_note"].label = _("Note on the status")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            if self.conflict is None or not self.conflict.refused:
                self._check_version(cleaned.get("expected_version"))
            new_status = cleaned.get("new_status")
            if new_status and new_status == self.instance.status:
                self.add_error("new_status", gettext("The project already has this status."))
            elif not new_status and (cleaned.get("status_effective_on") or cleaned.get("status_note")):
                # A date or note typed without a status would otherwise be dropped silently.
                self.add_error("new_status", gettext("Choose the new status, or clear its date and note."))
        if self.conflict is not None:
            # Last: an error takes its field out of cleaned_data.
            self.conflict.add_form_errors(self)
        return cleaned

    def _check_version(self, version):
        # Whether the version is still the project's is checked when the page is saved, under
        # the project's row lock (ProjectAdmin.save_model); a StaleVersion goes up to
        # ProjectAdmin.changeform_view, which merges this page onto the newer project.
        if version is None:
            raise ValidationError(gettext("The form is missing its version. Reload the page."), code="stale")

    def project_fields(self) -> dict:
        """The changed own fields, as keyword arguments for `project_update`."""
        values = {name: self.cleaned_data[name] for name in self.changed_data if name in PROJECT_FIELDS}
        for name in PROJECT_RELATIONS:
            if name in values:
                values[name] = list(values[name])
        return values


class DevelopmentForm(forms.ModelForm):
    """One development; its date is typed with the precision the source gives."""

    when = PartialDateField(
        label=_("Date"),
        required=False,
        help_text=_("2024, 2024-03, 2024-03-15, 2024年度 or 令和6年3月. Empty: as of the source."),
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
        if instance.pk:
            for field in self.fields.values():
                # As on the project form: the values shown travel with the page.
                field.show_hidden_initial = True
        if instance.pk and instance.date is not None:
            self.initial.setdefault("when", ParsedDate(instance.date, instance.date_precision, None))
            if instance.date_end is not None:
                self.initial.setdefault("until", ParsedDate(instance.date_end, instance.date_precision, None))

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
    effective_on = PartialDateField(label=_("Effective date"), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("One note for all the selected projects: the evidence for the change."),
    )

    def status_change(self) -> dict:
        """The status, date and note, as keyword arguments for the status services."""
        data = self.cleaned_data
        return {"status": data["status"], **effective_kwargs(data["effective_on"]), "note": data["note"]}
