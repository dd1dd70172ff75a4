"""The editions API's representations: an edition with its headings, what it added and removed
(and, for a draft, the removals it proposes), its listings with the developments each row shows,
a comparison of two editions; and the bodies of the yearly workflow's writes, which
plans/api/views.py hands to plans.services."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from plans.models import FIRST_YEAR, LAST_YEAR, EditionState, RemovalReason
from projects.api.fields import CodeField, CodeLabelField
from projects.models import Status

MAX_ID = 2_147_483_647  # a primary key's column (integer)


class StrictSerializer(serializers.Serializer):
    """A write body: an unknown field is refused (a typo is not silently dropped)."""

    def validate(self, attrs):
        initial = getattr(self, "initial_data", None)
        unknown = set(initial) - set(self.fields) if isinstance(initial, dict) else ()
        if unknown:
            raise serializers.ValidationError({name: [gettext("Unknown field.")] for name in sorted(unknown)})
        return super().validate(attrs)


# Reading.


class HeadingSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True)
    mark = serializers.CharField(read_only=True, help_text=_("The circled number the plan prints: ①."))
    label = serializers.CharField(source="name", read_only=True)


class ListedProjectSerializer(serializers.Serializer):
    """A project as an edition lists it."""

    id = serializers.IntegerField(source="project_id", read_only=True)
    number = serializers.IntegerField(read_only=True, help_text=_("Its number in the edition."))
    name = serializers.SerializerMethodField()
    url = serializers.HyperlinkedRelatedField(source="project", view_name="project-detail", read_only=True)

    def get_name(self, listing) -> str:
        return (listing.printed or {}).get("name") or listing.project.name


class RemovalSerializer(serializers.Serializer):
    project = serializers.IntegerField(
        source="project_id",
        read_only=True,
        allow_null=True,
        help_text=_(
            "The project's id; null where the edition's text names a project the tracker does not hold."
        ),
    )
    name = serializers.CharField(read_only=True, help_text=_("The name it was listed under."))
    reason = CodeLabelField(RemovalReason)
    note = serializers.CharField(read_only=True)


class StatedSerializer(serializers.Serializer):
    """What the edition's own text states about its list and its predecessor (null: nothing)."""

    count = serializers.IntegerField(source="stated_count", read_only=True, allow_null=True)
    previous_count = serializers.IntegerField(source="stated_previous_count", read_only=True, allow_null=True)
    removed_count = serializers.IntegerField(source="stated_removed_count", read_only=True, allow_null=True)
    added_count = serializers.IntegerField(source="stated_added_count", read_only=True, allow_null=True)


class AwardSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True, allow_null=True)
    text = serializers.CharField(read_only=True)


class ProposedRemovalSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="listing.number", read_only=True)
    project = serializers.IntegerField(source="listing.project_id", read_only=True)
    name = serializers.CharField(source="listing.project.name", read_only=True)
    awards = AwardSerializer(many=True, read_only=True)


class EditionSerializer(serializers.Serializer):
    """An edition; read from views.edition_queryset() (headings, new listings and removals
    prefetched) with `proposed_removals` in the context for a draft."""

    year = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    state = CodeLabelField(EditionState)
    source = serializers.CharField(read_only=True)
    project_count = serializers.IntegerField(read_only=True)
    previous_year = serializers.IntegerField(read_only=True, allow_null=True)
    stated = StatedSerializer(source="*", read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    headings = HeadingSerializer(many=True, read_only=True)
    added = ListedProjectSerializer(source="new_listings", many=True, read_only=True)
    removed = RemovalSerializer(source="removals", many=True, read_only=True)
    proposed_removals = serializers.SerializerMethodField(
        help_text=_(
            "A draft: its projects won since the previous edition was published, to remove as "
            "won (never removed automatically). Empty for a published edition."
        )
    )
    url = serializers.HyperlinkedIdentityField(view_name="edition-detail", lookup_field="year")

    @extend_schema_field(ProposedRemovalSerializer(many=True))
    def get_proposed_removals(self, edition):
        proposed = self.context.get("proposed_removals", {}).get(edition.pk, [])
        return ProposedRemovalSerializer(proposed, many=True).data


class ShownDevelopmentSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True, allow_null=True)
    text = serializers.CharField(read_only=True)


class ListingSerializer(serializers.Serializer):
    """A row of the edition's list: read from views.listing_queryset(), `shown` set by the view."""

    project = serializers.IntegerField(source="project_id", read_only=True)
    url = serializers.HyperlinkedRelatedField(source="project", view_name="project-detail", read_only=True)
    name = serializers.SerializerMethodField()
    number = serializers.IntegerField(read_only=True)
    listing_group = HeadingSerializer(source="heading", read_only=True)
    is_new = serializers.BooleanField(read_only=True, help_text=_("Marked 【新規案件】 in the edition."))
    developments = ShownDevelopmentSerializer(
        source="shown",
        many=True,
        read_only=True,
        help_text=_(
            "Its 直近における動き: as printed for a published edition; for a draft the chosen "
            "developments, else the default (those since the previous edition, and undated ones)."
        ),
    )

    def get_name(self, listing) -> str:
        return (listing.printed or {}).get("name") or listing.project.name


# Writing.


class EditionCreateSerializer(StrictSerializer):
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)


class PublishSerializer(StrictSerializer):
    confirm = serializers.BooleanField(help_text=_("Must be true: publishing freezes the edition for good."))

    def validate_confirm(self, value):
        if value is not True:
            raise serializers.ValidationError(
                gettext("Publishing freezes the edition: confirm it with true.")
            )
        return value


class ListingAddSerializer(StrictSerializer):
    project = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text=_("The project's id."))
    listing_group = serializers.IntegerField(
        min_value=1, max_value=50, help_text=_("The number of the edition's heading to list it under.")
    )
    position = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text=_("Its place among the heading's rows (1 = first); last by default."),
    )
    is_new = serializers.BooleanField(default=True, help_text=_("Marked 【新規案件】 (default: true)."))


class ListingChangeSerializer(StrictSerializer):
    listing_group = serializers.IntegerField(
        min_value=1, max_value=50, required=False, help_text=_("Move it under this heading.")
    )
    position = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text=_("Its place among the heading's rows.")
    )
    is_new = serializers.BooleanField(required=False)
    developments = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=1000,
        help_text=_(
            "Sequences of the project's developments the row shows; an empty list: the default choice."
        ),
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if not attrs:
            raise serializers.ValidationError(
                {"non_field_errors": [gettext("Give listing_group, position, is_new or developments.")]}
            )
        return attrs


class RemoveSerializer(StrictSerializer):
    reason = CodeField(choices=RemovalReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)


# Comparing.


class RowSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project_id", read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True)
    number = serializers.IntegerField(read_only=True, allow_null=True)
    heading = serializers.CharField(read_only=True)
    status = CodeLabelField(Status, allow_null=True)


class ComparedRemovalSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="row.project_id", read_only=True, allow_null=True)
    name = serializers.CharField(source="row.name", read_only=True)
    number = serializers.IntegerField(source="row.number", read_only=True, allow_null=True)
    heading = serializers.CharField(source="row.heading", read_only=True)
    reason = CodeLabelField(RemovalReason, allow_null=True)
    note = serializers.CharField(read_only=True)


class PlaceSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True, allow_null=True)
    heading = serializers.CharField(read_only=True)
    status = CodeLabelField(Status, allow_null=True)


class CarriedSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="newer.project_id", read_only=True)
    name = serializers.CharField(source="newer.name", read_only=True)
    older = PlaceSerializer(read_only=True)
    newer = PlaceSerializer(read_only=True)
    renumbered = serializers.BooleanField(read_only=True)
    moved = serializers.BooleanField(read_only=True)
    status_changed = serializers.BooleanField(read_only=True)


class DevelopmentSinceSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project_id", read_only=True)
    sequence = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True, allow_null=True)
    text = serializers.CharField(read_only=True)


class ComparisonSerializer(serializers.Serializer):
    older_year = serializers.IntegerField(read_only=True)
    newer_year = serializers.IntegerField(read_only=True)
    older_count = serializers.IntegerField(read_only=True)
    newer_count = serializers.IntegerField(read_only=True)
    stated = serializers.BooleanField(
        read_only=True,
        help_text=_("The older edition is known only from what the newer one's text states about it."),
    )
    added = RowSerializer(many=True, read_only=True)
    removed = ComparedRemovalSerializer(many=True, read_only=True)
    removed_count = serializers.IntegerField(read_only=True)
    carried = CarriedSerializer(many=True, read_only=True)
    carried_count = serializers.IntegerField(read_only=True)
    developments_since = DevelopmentSinceSerializer(many=True, read_only=True)
