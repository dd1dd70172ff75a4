"""The action plan's yearly editions: each edition's headings, its listed projects (the number,
heading and new mark it gives them, and once published the row as printed) and the projects it
removed from the previous edition's list, with the reason.

A project (projects.Project) keeps one identity across editions; what an edition says about it
is its Listing there.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from countries.models import localized_name
from projects.models import Development, Project
from projects.text import circled_number, validate_line, validate_text

FIRST_YEAR = 2013  # the year of the first infrastructure export strategy (インフラシステム輸出戦略)
LAST_YEAR = 2100


class EditionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RemovalReason(models.TextChoices):
    WON = "won", _("Won by a Japanese company")
    CANCELLED = "cancelled", _("Cancelled")
    MERGED = "merged", _("Merged into another project")
    OTHER = "other", _("Other")


class EditionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=EditionState.PUBLISHED)

    def latest_published(self):
        """The edition the list shows by default: the latest published one, or None."""
        return self.published().order_by("-year").first()


class EditionManager(models.Manager.from_queryset(EditionQuerySet)):
    def get_by_natural_key(self, year):
        return self.get(year=year)


class Edition(models.Model):
    """One year's action plan: its list of target projects, a draft until it is published."""

    State = EditionState

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_line])
    state = models.CharField(_("state"), max_length=10, choices=EditionState, default=EditionState.DRAFT)
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        validators=[validate_line],
        help_text=_("The publication the edition's list is printed in."),
    )
    previous_year = models.PositiveSmallIntegerField(
        _("previous edition"),
        null=True,
        blank=True,
        help_text=_("The year of the edition this one revises (its 昨年)."),
    )
    # What the edition's own text states about its list and its predecessor ("今年は 93
    # プロジェクトを選定した…昨年の 87 プロジェクトから…４件を削除し…10 件を追加した"): kept
    # even when the predecessor is not in the database. Empty for an edition written here.
    stated_count = models.PositiveSmallIntegerField(_("stated number of projects"), null=True, blank=True)
    stated_previous_count = models.PositiveSmallIntegerField(
        _("stated number of projects the year before"), null=True, blank=True
    )
    stated_removed_count = models.PositiveSmallIntegerField(_("stated number removed"), null=True, blank=True)
    stated_added_count = models.PositiveSmallIntegerField(_("stated number added"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = EditionManager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        permissions = [("publish_edition", _("Can publish an edition"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=EditionState.values),
                name="%(app_label)s_%(class)s_state_valid",
                violation_error_message=_("Unknown edition state."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR),
                name="%(app_label)s_%(class)s_year_range",
                violation_error_message=_("The year is out of range."),
            ),
            models.CheckConstraint(
                condition=Q(previous_year__isnull=True) | Q(previous_year__lt=models.F("year")),
                name="%(app_label)s_%(class)s_previous_before",
                violation_error_message=_("The previous edition comes before this one."),
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.year,)

    @property
    def is_published(self) -> bool:
        return self.state == EditionState.PUBLISHED

    @property
    def etag(self) -> str:
        return f'"e{self.year}-v{self.version}"'


class HeadingManager(models.Manager):
    def get_by_natural_key(self, year, number):
        return self.get(edition__year=year, number=number)


class Heading(models.Model):
    """One of an edition's headings (①ベトナム … ㉓ミャンマー) its table is grouped under."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="headings", verbose_name=_("edition")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name_ja = models.CharField(_("name (Japanese)"), max_length=100, validators=[validate_line])
    name_en = models.CharField(_("name (English)"), max_length=100, validators=[validate_line])

    objects = HeadingManager()

    class Meta:
        ordering = ["edition__year", "number"]
        verbose_name = _("heading")
        verbose_name_plural = _("headings")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("This edition already has a heading with this number."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=50),
                name="%(app_label)s_%(class)s_number_range",
                violation_error_message=_("A heading number is between 1 and 50."),
            ),
        ]

    def __str__(self):
        return f"{self.mark}{self.name}"

    def natural_key(self):
        return (*self.edition.natural_key(), self.number)

    natural_key.dependencies = ["plans.edition"]

    @property
    def name(self):
        return localized_name(self)

    @property
    def mark(self):
        """The circled number the plan prints before the heading: ① … ⑳, ㉑ … ㊿."""
        return circled_number(self.number)


class ListingManager(models.Manager):
    def get_by_natural_key(self, year, project_number):
        return self.get(edition__year=year, project__number=project_number)


class Listing(models.Model):
    """A project as one edition lists it: its number and heading there, the new mark, the
    developments its 直近における動き shows, and once the edition is published the row as
    printed, which nothing recorded later changes."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="listings", verbose_name=_("edition")
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="listings", verbose_name=_("project")
    )
    heading = models.ForeignKey(
        Heading, on_delete=models.PROTECT, related_name="listings", verbose_name=_("heading")
    )
    number = models.PositiveIntegerField(
        _("number"),
        help_text=_("Its number in the edition: the headings' order, then the order within each."),
    )
    is_new = models.BooleanField(_("new"), default=False, help_text=_("Marked 【新規案件】 in the edition."))
    developments = models.ManyToManyField(
        Development,
        related_name="listings",
        blank=True,
        verbose_name=_("developments shown"),
        help_text=_("The developments its 直近における動き shows. None chosen: the default choice."),
    )
    # Set when the edition is published: {"name", "summary", "note", "developments": [text, …],
    # "status"}, exactly as printed.
    printed = models.JSONField(_("row as printed"), null=True, blank=True, editable=False)

    objects = ListingManager()

    class Meta:
        ordering = ["edition__year", "number"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        indexes = [models.Index(fields=["edition", "number"], name="plans_listing_edition_nr")]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "project"],
                name="%(app_label)s_%(class)s_unique_project",
                violation_error_message=_("This project is already listed in this edition."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="%(app_label)s_%(class)s_number_positive",
                violation_error_message=_("The number starts at 1."),
            ),
        ]

    def __str__(self):
        return f"{self.edition.year} {self.number} {self.project.display_name}"

    def natural_key(self):
        return (*self.edition.natural_key(), self.project.number)

    natural_key.dependencies = ["plans.edition", "plans.heading", "projects.project", "projects.development"]


class RemovalManager(models.Manager):
    def get_by_natural_key(self, year, name):
        return self.get(edition__year=year, name=name)


class Removal(models.Model):
    """A project the edition no longer lists although the one before did, and why. Where an
    edition's text names a removed project the database does not hold, only the name is kept."""

    Reason = RemovalReason

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="removals", verbose_name=_("edition")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="removals",
        verbose_name=_("project"),
    )
    name = models.CharField(
        _("name"), max_length=200, validators=[validate_line], help_text=_("The name it was listed under.")
    )
    reason = models.CharField(_("reason"), max_length=10, choices=RemovalReason)
    note = models.TextField(_("note"), blank=True, validators=[validate_text])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RemovalManager()

    class Meta:
        ordering = ["edition__year", "name"]
        verbose_name = _("removal")
        verbose_name_plural = _("removals")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("This edition already records this removal."),
            ),
            models.UniqueConstraint(
                fields=["edition", "project"],
                condition=Q(project__isnull=False),
                name="%(app_label)s_%(class)s_unique_project",
                violation_error_message=_("This project is already removed from this edition."),
            ),
            models.CheckConstraint(
                condition=Q(reason__in=RemovalReason.values),
                name="%(app_label)s_%(class)s_reason_valid",
                violation_error_message=_("Unknown removal reason."),
            ),
        ]

    def __str__(self):
        return f"{self.edition.year}: {self.name} ({self.get_reason_display()})"

    def natural_key(self):
        return (*self.edition.natural_key(), self.name)

    natural_key.dependencies = ["plans.edition", "projects.project"]
