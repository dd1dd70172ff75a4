"""The strict fields and filters the filtersets are built from: lists of codes, numbers and
choices, schemes, booleans, dates, and the ordering. Each refuses a bad value with a message
naming it (and the values there are), so a filter is a 400, never an empty result or a 500."""

from datetime import timedelta

import django_filters
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import extend_schema_field

from countries.models import Country, Region, localized_name
from projects import codes
from projects.models import (
    Scheme,
    SchemeFamily,
    Sector,
)
from projects.querysets import latest_development_last_date


class CommaSeparatedInput(forms.TextInput):
    """Reads `?x=a,b` and `?x=a&x=b` alike, as the list ["a", "b"]."""

    def value_from_datadict(self, data, files, name):
        raw = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        items = [item.strip() for value in raw if value for item in value.split(",")]
        return [item for item in items if item] or None


UNKNOWN_VALUE = _("Unknown value: %(value)s. Known values: %(known)s.")


class CodeListField(forms.ModelMultipleChoiceField):
    """Reference codes, case ignored (`vn` is `VN`); an unknown one is named in the error with
    the known ones."""

    widget = CommaSeparatedInput
    default_error_messages = {
        "invalid_choice": _("Unknown value: %(value)s."),
        "invalid_pk_value": _("Unknown value: %(pk)s."),
        "unknown_code": UNKNOWN_VALUE,
    }

    def clean(self, value):
        model = self.queryset.model
        if model in codes.REFERENCE_MODELS and self.to_field_name in codes.REFERENCE_MODELS[model]:
            return self._clean_codes(model, value)
        try:
            return super().clean(value)
        except OverflowError:  # SQLite, for a number beyond 64 bits
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": ", ".join(value)},
            ) from None

    def _clean_codes(self, model, value):
        """Reference codes are checked against projects.codes (no query when all are known);
        the filter then matches them through a join: the cleaned value is the codes."""
        if not value:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        field = model._meta.get_field(self.to_field_name)
        cleaned = []
        for item in value:
            ProhibitNullCharactersValidator()(item)
            try:
                cleaned.append(field.to_python(item))
            except forms.ValidationError:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                ) from None
        matched = codes.canonical_codes(model, self.to_field_name, cleaned)
        for item, code in zip(cleaned, matched, strict=True):
            if code is None:
                known = ", ".join(str(code) for code in codes.known_codes(model, self.to_field_name))
                raise forms.ValidationError(
                    self.error_messages["unknown_code"],
                    code="invalid_choice",
                    params={"value": item, "known": known},
                )
        return list(dict.fromkeys(matched))


class CodeListFilter(django_filters.ModelMultipleChoiceFilter):
    """Any of a list of reference-data codes; the field name is a path to the reference row.

    Filters through a subquery on the project ids, so a project matching two codes of a
    many-to-many (two sectors) still comes once, without DISTINCT.
    """

    field_class = CodeListField

    def __init__(self, *args, through_subquery=False, **kwargs):
        self.through_subquery = through_subquery
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        if isinstance(value, list):  # codes (CodeListField._clean_codes), not rows
            condition = Q(**{f"{self.field_name}__{self.extra['to_field_name']}__in": value})
        else:
            condition = Q(**{f"{self.field_name}__in": value})
        if self.through_subquery:
            return qs.filter(pk__in=qs.model.objects.filter(condition).values("pk"))
        return qs.filter(condition)


def with_schema(filter_, **schema):
    """The filter, documented in the OpenAPI schema as `schema` (a list filter: its items) with
    its help text, where drf-spectacular's guess misses a bound the server keeps."""
    set_override(filter_, "field", {**schema, "description": filter_.extra.get("help_text", "")})
    return filter_


class NumberListFilter(CodeListFilter):
    """Numbers (ids, listing group numbers), comma-separated; all of them start at 1, as the
    schema says (the model fields would give it a minimum of 0)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with_schema(self, type="integer", minimum=1)


class ChoiceListField(django_filters.fields.MultipleChoiceField):
    """Choice values, case ignored (`Procurement` is `procurement`); an unknown one is named in
    the error with the known ones."""

    default_error_messages = {"invalid_choice": UNKNOWN_VALUE}

    def to_python(self, value):
        by_case = {str(key).casefold(): str(key) for key, _label in self.choices}
        return [by_case.get(item.casefold(), item) for item in super().to_python(value)]

    def validate(self, value):
        for item in value:
            if not self.valid_value(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item, "known": ", ".join(str(key) for key, _label in self.choices)},
                )
        super().validate(value)


class ChoiceListFilter(django_filters.MultipleChoiceFilter):
    """Any of a comma-separated list of choice values."""

    field_class = ChoiceListField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CommaSeparatedInput)
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__{self.lookup_expr}": value})


class SchemeListField(forms.Field):
    """Scheme codes (`oda-loan`) and families (`ODA`, upper case), mixed."""

    widget = CommaSeparatedInput
    default_error_messages = {
        "invalid_choice": _("Unknown scheme or scheme family: %(value)s. Known values: %(known)s.")
    }

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        for item in value:
            ProhibitNullCharactersValidator()(item)
        families = [item.upper() for item in value if item.upper() in SchemeFamily.values]
        given = [item for item in value if item.upper() not in SchemeFamily.values]
        scheme_codes = codes.canonical_codes(Scheme, "code", given) if given else []
        for item, code in zip(given, scheme_codes, strict=True):
            if code is None:
                known = [*SchemeFamily.values, *codes.known_codes(Scheme, "code")]
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item, "known": ", ".join(known)},
                )
        return {"families": families, "codes": scheme_codes}


SCHEME_HELP = _(
    "Scheme codes or families, comma-separated: `oda-loan`, or `ODA` for every ODA scheme. "
    "Families: ODA, PPP, JOIN, PRIVATE."
)


@extend_schema_field({"type": "array", "items": {"type": "string"}, "description": SCHEME_HELP})
class SchemeFilter(django_filters.Filter):
    field_class = SchemeListField


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is an error rather than "no filter"."""

    default_error_messages = {"invalid": _("Give true or false.")}
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class StorableDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time whose UTC offset PostgreSQL can take: within ±15:59 (what any real
    time zone uses). A larger one (`+16:00`, `-23:59`) is refused, not sent to the database."""

    default_error_messages = {"offset": _("The UTC offset must be between -15:59 and +15:59.")}
    MAX_OFFSET = timedelta(hours=15, minutes=59, seconds=59)

    def to_python(self, value):
        value = super().to_python(value)
        offset = value.utcoffset() if value is not None else None
        if offset is not None and abs(offset) > self.MAX_OFFSET:
            raise forms.ValidationError(self.error_messages["offset"], code="offset")
        return value


class StorableDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = StorableDateTimeField


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class FilterForm(forms.Form):
    """The form of a filter set. A parameter given with no value (`is_new=`, `country=,,,`,
    `q=  `) is an error, not "no filter": the caller meant something and should know it was
    not applied. Refuses a range whose start comes after its end, for each (after, before) pair.
    """

    date_ranges: tuple[tuple[str, str], ...] = ()

    def clean(self):
        for name, field in self.fields.items():
            if name not in self.data:
                continue
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data[name]]
            separators = "," if isinstance(field.widget, CommaSeparatedInput) else ""
            if any(not value.replace(separators or " ", " ").strip() for value in values):
                self.add_error(name, _("Give a value, or leave the parameter out."))
        cleaned = super().clean()
        for start, end in self.date_ranges:
            after, before = cleaned.get(start), cleaned.get(end)
            if after and before and after > before:
                self.add_error(end, _("Must not be before %(start)s.") % {"start": start})
        return cleaned


class ProjectFilterForm(FilterForm):
    date_ranges = (("development_after", "development_before"),)


class DevelopmentFilterForm(FilterForm):
    date_ranges = (("date_after", "date_before"),)


class OrderingChoiceField(django_filters.fields.ChoiceField):
    """An ordering name; an unknown one is named in the error with the known ones."""

    default_error_messages = {"invalid_choice": UNKNOWN_VALUE}

    def validate(self, value):
        if value and not self.valid_value(value):
            known = ", ".join(str(key) for key, _label in self.choices if key)
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value, "known": known},
            )
        super().validate(value)


class ProjectOrderingFilter(django_filters.OrderingFilter):
    """Orders with nulls last (either way), and by the edition's number after the chosen fields,
    so pages are stable. `latest_development` is the latest development's last date (its end,
    else its date), the key that makes it the latest. The queryset is an edition's list
    (plans.selection.listed)."""

    field_class = OrderingChoiceField

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in filter(None, value):
            descending = param.startswith("-")
            field = self.param_map[param.removeprefix("-")]
            if field == "latest_development":
                qs = qs.alias(latest_development_date=latest_development_last_date())
                field = "latest_development_date"
            expression = F(field)
            ordering.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        return qs.order_by(*ordering, "edition_number", "number")


def reference_choices() -> dict[str, list[tuple[str, str]]]:
    """The code filters (`region`, `country`, `sector`) as (code, name) options in the reader's
    language, for a page that offers them by name: regions and sectors in their tables' order,
    the countries that have projects by name. Three queries."""
    countries = Country.objects.filter(projects__isnull=False).distinct()
    return {
        "region": [(region.code, localized_name(region)) for region in Region.objects.all()],
        "country": sorted(((c.iso_code, localized_name(c)) for c in countries), key=lambda pair: pair[1]),
        "sector": [(sector.code, localized_name(sector)) for sector in Sector.objects.all()],
    }
