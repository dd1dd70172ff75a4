"""The API's building blocks: a code with its label, a reference code field that refuses an
unknown code naming the known ones, and the strict base of every input serializer."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.text import validate_line


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


@extend_schema_field(CodeLabelSerializer)
class CodeLabelField(serializers.Field):
    """A choice value as {"code": ..., "label": ...}; read-only."""

    def __init__(self, choices, **kwargs):
        self.choice_class = choices
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        if not value:
            return None
        try:
            label = self.choice_class(value).label
        except ValueError:
            label = value
        return {"code": value, "label": str(label)}


class CodeField(serializers.ChoiceField):
    """A choice value given as its code, or as the {"code": ...} object a read returns."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = data.get("code")
        return super().to_internal_value(data)


class CodeRelatedField(serializers.SlugRelatedField):
    """A reference row given by its code, or by the object a read returns.

    A code holding a control character is refused before the lookup (PostgreSQL cannot even
    compare a text holding NUL)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = data.get(self.slug_field)
        if isinstance(data, str):
            try:
                validate_line(data)
            except DjangoValidationError:
                self.fail("invalid")
        return super().to_internal_value(data)


class WriteSerializer(serializers.ModelSerializer):
    """A serializer that writes: it refuses fields it does not know (a typo is not silently
    dropped), and a unique value taken by a concurrent request between validation and the
    write gets the 400 a sequential duplicate gets, not the database's IntegrityError."""

    # Fields of a read that a client may send back unchanged; they are ignored.
    READ_ONLY: frozenset[str] = frozenset()

    def validate(self, attrs):
        initial = getattr(self, "initial_data", None)
        unknown = set(initial) - set(self.fields) - self.READ_ONLY if isinstance(initial, dict) else ()
        if unknown:
            raise serializers.ValidationError({name: [gettext("Unknown field.")] for name in sorted(unknown)})
        return super().validate(attrs)

    def save(self, **kwargs):
        try:
            return super().save(**kwargs)
        except IntegrityError:
            # The write's transaction is rolled back; the row that won is committed, so
            # validating again now finds it, as for a duplicate sent after it.
            again = type(self)(
                self.instance, data=self.initial_data, partial=self.partial, context=self.context
            )
            again.is_valid(raise_exception=True)
            raise
