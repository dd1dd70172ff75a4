from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.audit import CHANGE_KINDS

# An audited change's kinds (projects.audit, the change log's too), and an edition's.
EventKind = models.TextChoices(
    "EventKind",
    [
        *((code.upper(), (code, label)) for code, label in CHANGE_KINDS.items()),
        ("LISTED", ("listed", _("Added to an edition"))),
        ("UNLISTED", ("unlisted", _("Removed from an edition"))),
        ("EDITION_PUBLISHED", ("edition_published", _("Edition published"))),
    ],
)


class Event(models.Model):
    """One change, written in the transaction that made it.

    `seq` is given later, by events.sequence, in the order the changes committed: readers
    follow `seq`, never `id` (ids are taken when a transaction starts writing, so a smaller id
    can commit after a larger one). `payload` is what the change was at the time (the project's
    number and names, the development, the statuses), so an event still reads the same after
    its project is edited or deleted.
    """

    seq = models.BigIntegerField(_("sequence"), null=True, blank=True, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    project_number = models.PositiveIntegerField(_("project number"), null=True, blank=True)
    edition_year = models.PositiveSmallIntegerField(_("edition"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    via = models.CharField(_("via"), max_length=40, blank=True)
    occurred = models.DateTimeField(_("occurred"), default=timezone.now, db_index=True)
    payload = models.JSONField(_("payload"), default=dict)

    class Meta:
        ordering = ["seq", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["project_number", "seq"], name="event_project_seq")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.project_number or self.edition_year} ({self.seq or '-'})"


class EventSequence(models.Model):
    """The single row the sequencer locks; `last` is the last `seq` given."""

    last = models.BigIntegerField(default=0)

    def __str__(self):
        return str(self.last)
