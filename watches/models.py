from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from countries.models import Country, Region
from projects.models import Project, Scheme, Sector

# The things one can watch: the field of a Watch that holds each, in the order pages show them.
TARGETS = ("project", "country", "region", "sector", "scheme")


class WatchQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)


class Watch(models.Model):
    """A user follows one project, country, region, sector or scheme (exactly one is set)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches", verbose_name=_("user")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="watches",
        verbose_name=_("project"),
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="watches",
        verbose_name=_("country"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="watches",
        verbose_name=_("region"),
    )
    sector = models.ForeignKey(
        Sector,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="watches",
        verbose_name=_("sector"),
    )
    scheme = models.ForeignKey(
        Scheme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="watches",
        verbose_name=_("scheme"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = WatchQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("watch")
        verbose_name_plural = _("watches")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(project__isnull=False, country=None, region=None, sector=None, scheme=None)
                    | Q(project=None, country__isnull=False, region=None, sector=None, scheme=None)
                    | Q(project=None, country=None, region__isnull=False, sector=None, scheme=None)
                    | Q(project=None, country=None, region=None, sector__isnull=False, scheme=None)
                    | Q(project=None, country=None, region=None, sector=None, scheme__isnull=False)
                ),
                name="watch_one_target",
            ),
            *(
                models.UniqueConstraint(
                    fields=["user", target],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"watch_unique_{target}",
                )
                for target in TARGETS
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.target}"

    @property
    def target_field(self) -> str:
        return next(target for target in TARGETS if getattr(self, f"{target}_id") is not None)

    @property
    def target(self):
        return getattr(self, self.target_field)

    @property
    def target_code(self) -> str:
        """The target's code, as the API and the project list's filters name it."""
        target = self.target
        if self.target_field == "project":
            return str(target.number)
        if self.target_field == "country":
            return target.iso_code
        return target.code
