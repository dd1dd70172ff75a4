from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.text import validate_line
from tracker.locale import is_english


class RegionManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Region(models.Model):
    """A geographic region that analysts group countries by."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100, validators=[validate_line])
    name_en = models.CharField(_("name (English)"), max_length=100, validators=[validate_line])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RegionManager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    @property
    def name(self):
        return localized_name(self)


class CountryManager(models.Manager):
    def get_by_natural_key(self, iso_code):
        return self.get(iso_code=iso_code)


class Country(models.Model):
    """A country, identified by its ISO 3166-1 alpha-2 code."""

    iso_code = models.CharField(_("ISO code"), max_length=2, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100, validators=[validate_line])
    name_en = models.CharField(_("name (English)"), max_length=100, validators=[validate_line])
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="countries", verbose_name=_("region")
    )

    objects = CountryManager()

    class Meta:
        ordering = ["iso_code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(iso_code__regex=r"^[A-Z]{2}$"),
                name="%(app_label)s_%(class)s_iso_code_alpha2",
                violation_error_message=_("The ISO code is two capital letters."),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.iso_code,)

    natural_key.dependencies = ["countries.region"]

    @property
    def name(self):
        return localized_name(self)


def localized_name(obj):
    """The object's name in the active language: English for "en", Japanese otherwise."""
    if is_english():
        return obj.name_en
    return obj.name_ja
