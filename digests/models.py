"""A user's digest preference (theirs to edit), their cursor on the outbox (the run's alone),
each digest prepared (what it covers, its message, whether it went) and each reminder given."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Preference(models.Model):
    """How a user gets their digest: the language, or none at all. No row: the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="digest_preference",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    enabled = models.BooleanField(
        _("send me digests"),
        default=True,
        help_text=_("A daily email of what changed in the projects you watch, when something did."),
    )

    class Meta:
        ordering = ["user"]
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="%(app_label)s_%(class)s_language_valid",
                violation_error_message=_("Unknown language."),
            )
        ]

    def __str__(self):
        return str(self.user)


class State(models.Model):
    """Where a user's digests have got to: every event up to `cursor` (an Event.seq) is in a
    digest already. Only digests.run writes it, under a row lock; kept apart from Preference
    so that saving a form never writes back an old cursor."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="digest_state",
        verbose_name=_("user"),
    )
    cursor = models.BigIntegerField(_("last event covered"))
    started = models.DateTimeField(_("started"), auto_now_add=True)

    class Meta:
        ordering = ["user"]
        verbose_name = _("digest state")
        verbose_name_plural = _("digest states")

    def __str__(self):
        return f"{self.user} @{self.cursor}"


class DigestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")


class Digest(models.Model):
    """One email: the events (from_seq, to_seq] and the reminders it tells of, its message as
    written when it was prepared (a retry sends the same), and whether it went."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests", verbose_name=_("user")
    )
    from_seq = models.BigIntegerField(_("after event"))
    to_seq = models.BigIntegerField(_("up to event"))
    events = models.JSONField(_("events"), default=list, help_text=_("The seq of each event it tells of."))
    status = models.CharField(_("status"), max_length=10, choices=DigestStatus, default=DigestStatus.PENDING)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"))
    created = models.DateTimeField(_("prepared"))
    sent = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        indexes = [models.Index(fields=["status", "id"], name="digest_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DigestStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(to_seq__gte=models.F("from_seq")),
                name="%(app_label)s_%(class)s_range",
                violation_error_message=_("A digest covers the events after its start, up to its end."),
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.from_seq}, {self.to_seq}] {self.get_status_display()}"


class Reminder(models.Model):
    """A responsible officer was reminded of a project with no recent development."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    digest = models.ForeignKey(
        Digest, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("digest")
    )
    reminded = models.DateTimeField(_("reminded"))

    class Meta:
        ordering = ["-reminded"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [models.Index(fields=["user", "project", "reminded"], name="reminder_user_project")]

    def __str__(self):
        return f"{self.user} #{self.project_id} {self.reminded:%Y-%m-%d}"
