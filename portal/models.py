"""What the readers' pages remember about a reader: when they last saw the front page."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Visit(models.Model):
    """A user's last view of the front page: what was recorded after it is "new" on the next."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="front_visit", verbose_name=_("user")
    )
    seen_at = models.DateTimeField(_("seen at"))

    class Meta:
        ordering = ["user"]
        verbose_name = _("front page visit")
        verbose_name_plural = _("front page visits")

    def __str__(self):
        return f"{self.user} {self.seen_at:%Y-%m-%d %H:%M}"
