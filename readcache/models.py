"""The data version: one row, one number that every committed write readers can see changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

ROW = 1  # the one row's primary key


class DataVersion(models.Model):
    """The single row readcache.version reads and bumps (created by the migration)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=ROW)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=ROW),
                name="%(app_label)s_%(class)s_one_row",
                violation_error_message=_("There is only one data version."),
            )
        ]

    def __str__(self):
        return str(self.value)
