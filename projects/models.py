from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from countries.models import Country, localized_name
from projects.choices import DatePrecision, DevelopmentKind, SchemeFamily, Status
from projects.querysets import ProjectQuerySet
from projects.text import normalize_for_search, validate_line, validate_text
from tracker.locale import is_english


class SectorManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Sector(models.Model):
    """A field of the action plan (Chapter 3), with the nearest OECD DAC purpose code."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100, validators=[validate_line])
    name_en = models.CharField(_("name (English)"), max_length=100, validators=[validate_line])
    dac_code = models.PositiveIntegerField(_("DAC purpose code"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = SectorManager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    @property
    def name(self):
        return localized_name(self)


class SchemeManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Scheme(models.Model):
    """How a project is financed or delivered (ODA loan, PPP, JOIN, ...)."""

    Family = SchemeFamily

    code = models.SlugField(_("code"), max_length=40, unique=True)
    family = models.CharField(_("family"), max_length=10, choices=SchemeFamily)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100, validators=[validate_line])
    name_en = models.CharField(_("name (English)"), max_length=100, validators=[validate_line])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = SchemeManager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")
        constraints = [
            models.CheckConstraint(
                condition=Q(family__in=SchemeFamily.values),
                name="%(app_label)s_%(class)s_family_valid",
                violation_error_message=_("Unknown scheme family."),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    @property
    def name(self):
        return localized_name(self)


class ProjectManager(models.Manager.from_queryset(ProjectQuerySet)):
    def get_by_natural_key(self, number):
        return self.get(number=number)


class Project(models.Model):
    """A project that MLIT wants Japanese companies to win. It keeps this identity across the
    plan's editions; what each edition says about it (number, heading, new) is a plans.Listing."""

    number = models.PositiveIntegerField(
        _("number"),
        unique=True,
        help_text=_(
            "The project's number in the tracker, fixed when it is added (the 2023 plan's number for "
            "its projects). Its number in each edition is in that edition's listing."
        ),
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_line])
    name_en = models.CharField(_("English name"), max_length=300, validators=[validate_line])
    summary = models.TextField(_("summary"), validators=[validate_text])
    note = models.TextField(
        _("note"),
        blank=True,
        validators=[validate_text],
        help_text=_("A remark the plan makes on the project."),
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="projects", verbose_name=_("country")
    )
    sectors = models.ManyToManyField(Sector, related_name="projects", verbose_name=_("sectors"))
    schemes = models.ManyToManyField(Scheme, related_name="projects", blank=True, verbose_name=_("schemes"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.IDENTIFICATION, editable=False
    )
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="responsible_for",
        blank=True,
        verbose_name=_("responsible officers"),
        help_text=_("The desk officers (担当者) who keep this project up to date. They watch it."),
    )
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProjectManager()
    history = HistoricalRecords(m2m_fields=[sectors, schemes], excluded_fields=["search_text", "version"])

    class Meta:
        ordering = ["number"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        # One per filter and ordering of the API (migration 0003 notes the plans checked).
        indexes = [
            models.Index(fields=["country", "number"], name="projects_project_country_nr"),
            models.Index(fields=["status", "number"], name="projects_project_status_nr"),
            models.Index(fields=["updated", "number"], name="projects_project_updated_nr"),
            models.Index(fields=["name", "number"], name="projects_project_name_nr"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="%(app_label)s_%(class)s_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="%(app_label)s_%(class)s_number_positive",
                violation_error_message=_("The number starts at 1."),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.display_name}"

    def get_absolute_url(self):
        """The readers' page (portal), which the admin's "View on site" button opens."""
        return reverse("portal:project", args=[self.number])

    def natural_key(self):
        return (self.number,)

    natural_key.dependencies = ["countries.country"]

    @property
    def display_name(self) -> str:
        """The name in the active language: the English name in English (if it has one)."""
        if is_english() and self.name_en:
            return self.name_en
        return self.name

    @property
    def etag(self) -> str:
        """The API's ETag: it names the version, which every write through services.py bumps."""
        return f'"p{self.pk}-v{self.version}"'

    def build_search_text(self, development_texts=None):
        """The normalized text `search()` matches against: number, names, summary, developments."""
        if development_texts is None:
            development_texts = self.developments.values_list("text", flat=True)
        parts = [str(self.number), self.name, self.name_en, self.summary, self.note, *development_texts]
        return normalize_for_search("\n".join(parts), keep_spaces=False)


# The fields an editor sets, in the order the admin's form shows them (the status has its own
# service, project_change_status). The many-to-many ones are written apart from the row.
PROJECT_FIELDS = (
    "number",
    "name",
    "name_en",
    "country",
    "sectors",
    "schemes",
    "summary",
    "note",
    "responsible",
)
PROJECT_RELATIONS = ("sectors", "schemes", "responsible")


class StatusChangeManager(models.Manager):
    def get_by_natural_key(self, project_number, sequence):
        return self.get(project__number=project_number, sequence=sequence)


class StatusChange(models.Model):
    """One entry of a project's status history; the latest is the project's current status."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("project")
    )
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status)
    previous_status = models.CharField(_("previous status"), max_length=20, choices=Status, blank=True)
    effective_on = models.DateField(
        _("effective date"), null=True, blank=True, help_text=_("Empty: as of the source.")
    )
    # As a development's date: known to a day, a month, a year or a fiscal year.
    effective_precision = models.CharField(
        _("effective date precision"), max_length=12, choices=DatePrecision, default=DatePrecision.NONE
    )
    note = models.TextField(
        _("note"), blank=True, validators=[validate_text], help_text=_("The evidence for the change.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = StatusChangeManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project_id", "sequence"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "sequence"],
                name="%(app_label)s_%(class)s_unique_sequence",
                violation_error_message=_("This project already has a status change with this number."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="%(app_label)s_%(class)s_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(previous_status__in=[*Status.values, ""]),
                name="%(app_label)s_%(class)s_previous_status_valid",
                violation_error_message=_("Unknown previous status."),
            ),
            models.CheckConstraint(
                condition=Q(effective_on__isnull=True, effective_precision=DatePrecision.NONE)
                | (Q(effective_on__isnull=False) & ~Q(effective_precision=DatePrecision.NONE)),
                name="%(app_label)s_%(class)s_effective_matches_precision",
                violation_error_message=_("A date needs a precision, and a precision needs a date."),
            ),
        ]

    def __str__(self):
        return f"{self.project.number}: {self.get_status_display()}"

    def natural_key(self):
        return (*self.project.natural_key(), self.sequence)

    natural_key.dependencies = ["projects.project"]


class DevelopmentManager(models.Manager):
    def get_by_natural_key(self, project_number, sequence):
        return self.get(project__number=project_number, sequence=sequence)


class Development(models.Model):
    """One dated event in a project's "latest developments" (直近における動き)."""

    Kind = DevelopmentKind

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="developments", verbose_name=_("project")
    )
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=DevelopmentKind)
    text = models.TextField(_("text"), validators=[validate_text])
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("The first day of the period the text names.")
    )
    date_precision = models.CharField(
        _("date precision"), max_length=12, choices=DatePrecision, default=DatePrecision.NONE
    )
    date_end = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("For a range: the first day of its last period.")
    )
    source = models.CharField(_("source"), max_length=200, blank=True, validators=[validate_line])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = DevelopmentManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project_id", "sequence"]
        verbose_name = _("development")
        verbose_name_plural = _("developments")
        # change_ and delete_development cover the rows one recorded oneself; this, the others'.
        permissions = [("manage_others_development", _("Can change and delete developments others recorded"))]
        indexes = [
            # The latest development (projects.querysets.LATEST_DEVELOPMENT_ORDER) has its own
            # on PostgreSQL (migration 0007): SQLite cannot index NULLS LAST.
            # won: a project's developments of one kind.
            models.Index(fields=["project", "kind"], name="projects_development_kind"),
            # The cross-project feed and its date filters.
            models.Index(fields=["date"], name="projects_development_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "sequence"],
                name="%(app_label)s_%(class)s_unique_sequence",
                violation_error_message=_("This project already has a development with this number."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DevelopmentKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
                violation_error_message=_("Unknown development kind."),
            ),
            models.CheckConstraint(
                condition=Q(date_precision__in=DatePrecision.values),
                name="%(app_label)s_%(class)s_date_precision_valid",
                violation_error_message=_("Unknown date precision."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(date__isnull=True, date_precision=DatePrecision.NONE)
                    | (Q(date__isnull=False) & ~Q(date_precision=DatePrecision.NONE))
                ),
                name="%(app_label)s_%(class)s_date_matches_precision",
                violation_error_message=_("A date needs a precision, and a precision needs a date."),
            ),
            models.CheckConstraint(
                condition=Q(date_end__isnull=True) | Q(date__isnull=False, date_end__gt=models.F("date")),
                name="%(app_label)s_%(class)s_date_end_after_start",
                violation_error_message=_("The end date must come after the date."),
            ),
        ]

    def __str__(self):
        return f"{self.project.number}: {self.text[:30]}"

    def natural_key(self):
        return (*self.project.natural_key(), self.sequence)

    natural_key.dependencies = ["projects.project"]


class ImportBatch(models.Model):
    """An uploaded spreadsheet: previewed first, then applied whole or not at all."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")

    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PREVIEWED)
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["previewed", "applied", "rejected"]),
                name="%(app_label)s_%(class)s_state_valid",
                violation_error_message=_("Unknown import state."),
            ),
        ]

    def __str__(self):
        return f"{self.filename} ({self.uploaded_at:%Y-%m-%d %H:%M})"
