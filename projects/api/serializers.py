"""API representations. Read serializers nest reference data as codes with labels in the
request's language; write serializers take codes and hand the write to services.py.

A write accepts what a read gave back (`{"code": "rail", "label": "鉄道"}` as well as
`"rail"`), so a client may PUT a GET's body after editing it.
"""

from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from countries.models import Country, Region
from plans.models import EditionState
from projects import choices, services
from projects.api.fields import (
    CodeField,
    CodeLabelField,
    CodeRelatedField,
    WriteSerializer,
)
from projects.api.list_rows import place
from projects.audit import editor_label
from projects.models import (
    DatePrecision,
    Development,
    DevelopmentKind,
    Project,
    Scheme,
    Sector,
    Status,
    StatusChange,
)
from projects.text import circled_number
from tracker.locale import is_english

# Reference data, as nested in projects and developments.


class CountryBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["iso_code", "name_ja", "name_en"]


class RegionBriefSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="name", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "label"]


class ListingGroupBriefSerializer(serializers.Serializer):
    """The heading an edition lists the project under (plans.selection.listed's annotations),
    or null where it is not listed."""

    number = serializers.IntegerField(source="heading_number", read_only=True)
    mark = serializers.CharField(read_only=True, help_text=_("The circled number the plan prints: ①."))
    label = serializers.CharField(read_only=True)

    def to_representation(self, project):
        number = project.heading_number
        if number is None:
            return None
        label = project.heading_name_en if is_english() else project.heading_name_ja
        return {"number": number, "mark": circled_number(number), "label": label}


class SectorBriefSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="name", read_only=True)

    class Meta:
        model = Sector
        fields = ["code", "label"]


class SchemeBriefSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="name", read_only=True)

    class Meta:
        model = Scheme
        fields = ["code", "label", "family"]


# Reference data endpoints (administrators write them).


class SectorSerializer(WriteSerializer):
    label = serializers.CharField(source="name", read_only=True)

    class Meta:
        model = Sector
        fields = ["code", "label", "name_ja", "name_en", "dac_code", "order"]


class SchemeSerializer(WriteSerializer):
    label = serializers.CharField(source="name", read_only=True)

    class Meta:
        model = Scheme
        fields = ["code", "label", "family", "name_ja", "name_en", "order"]


# Developments and status changes.


class ProjectBriefSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.iso_code", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="project-detail")

    class Meta:
        model = Project
        fields = ["id", "number", "name", "country", "url"]


class DevelopmentSerializer(serializers.ModelSerializer):
    kind = CodeLabelField(DevelopmentKind)

    class Meta:
        model = Development
        fields = [
            "id",
            "sequence",
            "kind",
            "text",
            "date",
            "date_precision",
            "date_end",
            "source",
            "recorded_at",
        ]


class FeedDevelopmentSerializer(DevelopmentSerializer):
    """A development in the cross-project feed: with its project."""

    project = ProjectBriefSerializer(read_only=True)

    class Meta(DevelopmentSerializer.Meta):
        fields = ["id", "project", *DevelopmentSerializer.Meta.fields[1:]]


class DevelopmentInputSerializer(WriteSerializer):
    """Adds a development to the project in the context, through `services.development_add`."""

    kind = CodeField(choices=DevelopmentKind.choices)
    date_precision = CodeField(
        choices=DatePrecision.choices,
        required=False,
        help_text=_("What the date stands for; `day` when a date is given without it."),
    )

    class Meta:
        model = Development
        fields = ["kind", "text", "date", "date_precision", "date_end", "source"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("date") is None:
            if attrs.get("date_precision", DatePrecision.NONE) != DatePrecision.NONE:
                raise serializers.ValidationError({"date_precision": gettext("A precision needs a date.")})
        elif attrs.get("date_precision", DatePrecision.NONE) == DatePrecision.NONE:
            attrs["date_precision"] = DatePrecision.DAY
        return attrs

    def create(self, validated_data):
        return services.development_add(project=self.context["project"], **validated_data)

    def to_representation(self, instance):
        return DevelopmentSerializer(instance, context=self.context).data


class StatusChangeSerializer(serializers.ModelSerializer):
    status = CodeLabelField(Status)
    previous_status = CodeLabelField(Status, allow_null=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = StatusChange
        fields = [
            "id",
            "sequence",
            "status",
            "previous_status",
            "effective_on",
            "effective_precision",
            "note",
            "recorded_by",
            "recorded_at",
        ]


class StatusChangeInputSerializer(WriteSerializer):
    """Changes the status of the project in the context, through `services.project_change_status`
    (the function the admin uses): it records the change and makes it the current status."""

    status = CodeField(choices=Status.choices)

    class Meta:
        model = StatusChange
        fields = ["status", "effective_on", "note"]

    def create(self, validated_data):
        return services.project_change_status(project=self.context["project"], **validated_data)

    def to_representation(self, instance):
        return StatusChangeSerializer(instance, context=self.context).data


# Projects.


class LatestDevelopmentSerializer(serializers.Serializer):
    """The latest development: the one with the latest last date (its end, else its date; then
    the last added)."""

    date = serializers.DateField(allow_null=True)
    precision = serializers.ChoiceField(choices=DatePrecision.choices)
    kind = CodeLabelField(DevelopmentKind)
    text = serializers.CharField()


class ProjectSerializer(serializers.ModelSerializer):
    """A project's fields as listed, declared: the list's schema, and the detail's fields."""

    country = CountryBriefSerializer(read_only=True)
    region = RegionBriefSerializer(source="country.region", read_only=True)
    number = serializers.IntegerField(
        source="edition_number",
        read_only=True,
        help_text=_("Its number in the edition (`edition`; by default the latest published one)."),
    )
    listing_group = ListingGroupBriefSerializer(source="*", read_only=True, allow_null=True)
    is_new = serializers.BooleanField(
        source="edition_is_new", read_only=True, help_text=_("Marked 【新規案件】 in the edition.")
    )
    sectors = SectorBriefSerializer(many=True, read_only=True)
    schemes = SchemeBriefSerializer(many=True, read_only=True)
    status = CodeLabelField(Status)
    won = serializers.BooleanField(
        read_only=True, help_text=_("A Japanese company has won all or part of it (an award development).")
    )
    latest_development = LatestDevelopmentSerializer(read_only=True, allow_null=True)
    url = serializers.HyperlinkedIdentityField(view_name="project-detail")

    class Meta:
        model = Project
        fields = [
            "id",
            "number",
            "name",
            "name_en",
            "country",
            "region",
            "listing_group",
            "sectors",
            "schemes",
            "status",
            "is_new",
            "won",
            "latest_development",
            "updated",
            "url",
        ]


class ProjectListSerializer(ProjectSerializer):
    """A project as listed. Everything comes from the list queryset's joins, annotations
    (`won`, `latest_development`) and prefetches: no query per row."""

    def to_representation(self, row):
        # The declared fields (ProjectSerializer) give the schema and the same output; walking them costs
        # about 0.3 ms a row (five nested serializers), most of a page's time. This builds the
        # dict directly from a row of projects.api.list_rows.list_page_rows(). `manage.py bench` checks it
        # against plain nested serializers (bench/peer.py) field for field.
        fields = self.fields
        english = self._english
        latest = row["latest_development"]
        return {
            "id": row["id"],
            "number": row["edition_number"],
            "name": row["name"],
            "name_en": row["name_en"],
            **place(row, english),
            "listing_group": None
            if row["group_number"] is None
            else {
                "number": row["group_number"],
                "mark": circled_number(row["group_number"]),
                "label": row["group_name_en"] if english else row["group_name_ja"],
            },
            "sectors": [
                {"code": sector["code"], "label": sector["name_en"] if english else sector["name_ja"]}
                for sector in row["sector_list"]
            ],
            "schemes": [
                {
                    "code": scheme["code"],
                    "label": scheme["name_en"] if english else scheme["name_ja"],
                    "family": scheme["family"],
                }
                for scheme in row["scheme_list"]
            ],
            "status": self._label(self._status_labels, row["list_status"]),
            "is_new": row["edition_is_new"],
            "won": row["won"],
            "latest_development": None
            if latest is None
            else {
                "date": latest["date"],  # already ISO 8601 text in the JSON value
                "precision": latest["precision"],
                "kind": self._label(self._kind_labels, latest["kind"]),
                "text": latest["text"],
            },
            "updated": fields["updated"].to_representation(row["updated"]),
            "url": self._detail_url(row["id"]),
        }

    @staticmethod
    def _label(labels, value):
        # As CodeLabelField gives it, from labels translated once per page.
        return {"code": value, "label": labels.get(value, value)} if value else None

    @cached_property
    def _status_labels(self):
        return choices.labels(Status)

    @cached_property
    def _kind_labels(self):
        return choices.labels(DevelopmentKind)

    @cached_property
    def _english(self):
        # Read for every row: asked once per serializer (so once per page).
        return is_english()

    @cached_property
    def _detail_url_parts(self):
        # The detail URL of project 0, reversed once for the page rather than once per row.
        # DRF keeps a `?format=` override in the links it builds: the query string follows.
        url = self.fields["url"].to_representation(Project(pk=0))
        path, mark, query = url.partition("?")
        if not path.endswith("/0/"):
            raise ValueError(f"Unexpected project URL: {url}")
        return path[: -len("0/")], f"{mark}{query}"

    def _detail_url(self, pk):
        prefix, query = self._detail_url_parts
        return f"{prefix}{pk}/{query}"


class EditionListingSerializer(serializers.Serializer):
    """An edition that lists the project, with its number and heading there."""

    year = serializers.IntegerField(source="edition.year", read_only=True)
    state = CodeLabelField(EditionState, source="edition.state")
    number = serializers.IntegerField(read_only=True)
    listing_group = serializers.SerializerMethodField()
    is_new = serializers.BooleanField(read_only=True)

    @extend_schema_field(ListingGroupBriefSerializer)
    def get_listing_group(self, listing):
        heading = listing.heading
        return {"number": heading.number, "mark": heading.mark, "label": heading.name}


class ResponsibleOfficerSerializer(serializers.Serializer):
    """A responsible officer (担当者): their user id and their name as the admin shows it."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return editor_label(user)


class ProjectDetailSerializer(ProjectSerializer):
    """A project with everything: read from a model instance (project_queryset(detail=True))."""

    # Plain declared fields: one project per response, so walking them is cheap, unlike the
    # list's page of rows (ProjectListSerializer's hand-built to_representation).

    number = serializers.IntegerField(
        read_only=True,
        help_text=_(
            "The project's number in the tracker. Its number in each edition is in `editions`; "
            "`listing_group` and `is_new` are those of the latest edition that lists it."
        ),
    )
    developments = DevelopmentSerializer(many=True, read_only=True)
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    editions = EditionListingSerializer(source="visible_listings", many=True, read_only=True)
    responsible = ResponsibleOfficerSerializer(
        many=True,
        read_only=True,
        help_text=_("The desk officers (担当者) responsible for the project; the admin sets them."),
    )

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "editions",
            "responsible",
            "summary",
            "note",
            "created",
            "developments",
            "status_history",
        ]


class ProjectInputSerializer(WriteSerializer):
    """Creates a project (`services.project_create`) or changes it (`services.project_update`).

    The status is set only on creation; afterwards it changes through /status-changes/. On
    update, `status` may stay in the body (as a GET returned it) if it is unchanged.
    """

    country = CodeRelatedField(slug_field="iso_code", queryset=Country.objects.all())
    sectors = CodeRelatedField(slug_field="code", queryset=Sector.objects.all(), many=True, allow_empty=False)
    schemes = CodeRelatedField(slug_field="code", queryset=Scheme.objects.all(), many=True, required=False)
    status = CodeField(
        choices=Status.choices,
        required=False,
        help_text=_("Creation only: the initial status (identification)."),
    )
    status_note = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Creation only: the evidence for the initial status.")
    )
    effective_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("Creation only: when the initial status took effect.")
    )

    CREATE_ONLY = ("status", "status_note", "effective_on")
    READ_ONLY = frozenset(
        {
            "id",
            "url",
            "region",
            "won",
            "latest_development",
            "updated",
            "created",
            "developments",
            "status_history",
            # What an edition says about the project: its listing there (plans).
            "listing_group",
            "is_new",
            "editions",
            "responsible",  # set in the admin
        }
    )

    class Meta:
        model = Project
        fields = [
            "number",
            "name",
            "name_en",
            "summary",
            "note",
            "country",
            "sectors",
            "schemes",
            "status",
            "status_note",
            "effective_on",
        ]
        # As the database's check constraint and column allow.
        extra_kwargs = {"number": {"min_value": 1, "max_value": 2_147_483_647}}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None:
            if attrs.get("status", self.instance.status) != self.instance.status:
                raise serializers.ValidationError(
                    {"status": [gettext("Change the status with POST to the project's status-changes.")]}
                )
            for name in self.CREATE_ONLY:
                if name != "status" and name in attrs:
                    raise serializers.ValidationError({name: [gettext("Only for a new project.")]})
                attrs.pop(name, None)
        return attrs

    def create(self, validated_data):
        validated_data.setdefault("schemes", [])
        return services.project_create(**validated_data)

    def update(self, instance, validated_data):
        return services.project_update(project=instance, **validated_data)
