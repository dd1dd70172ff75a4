"""One run of the digests (manage.py send_digests): prepare each user's digest, then send every
pending one. Each change reaches each watcher once:

1. `events.sequence.assign()` numbers the committed events; `last` is the run's end.
2. For each user who may get one (active, with an email address, digests not turned off,
   watching something or responsible for a project), in a transaction of their own: their
   State row is locked (`select_for_update(skip_locked=True)`: a user another run holds is
   left to it), the events (cursor, last] they hear of and their due reminders are read, and
   a pending Digest holding the written message, its Reminder rows and the cursor's advance to
   `last` commit together. A crash before the commit changes nothing; after it, the digest is
   pending and the next run sends it.
3. Each pending digest (this run's and any a crashed run left) is sent under its row lock and
   marked sent in the same transaction. A crash after the SMTP server accepted the message and
   before the commit leaves it pending: the next run sends it again, with the same Message-ID
   (digests.message.message_id), which mail clients use to drop the repeat.

A new user's State starts just before the first event that occurred after their first watch
(their watches bring no history: digests.selection), or at `last` if they watch nothing yet.
A user who can no longer get digests has their cursor moved on, so turning them back on does
not deliver the backlog.
"""

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from digests import message, selection
from digests.models import Digest, DigestStatus, Preference, Reminder, State
from events import sequence
from events.models import Event
from projects.models import Project
from watches.models import Watch

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    prepared: int = 0
    sent: int = 0
    failed: int = 0


def recipients():
    """The users who may get a digest now."""
    responsible = Project.responsible.through.objects.filter(user=OuterRef("pk"))
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .exclude(digest_preference__enabled=False)
        # Those who had digests stay: a deleted project's watchers (their watch went with it)
        # hear of its deletion (digests.selection).
        .filter(
            Q(Exists(Watch.objects.filter(user=OuterRef("pk"))))
            | Q(Exists(responsible))
            | Q(digest_state__isnull=False)
        )
        .select_related("digest_preference")
        .order_by("pk")
    )


def _start(user_id, first_watch, last: int) -> int:
    if first_watch is None:
        return last
    after = Event.objects.filter(seq__isnull=False, occurred__gte=first_watch).aggregate(first=Min("seq"))
    return last if after["first"] is None else after["first"] - 1


def open_states(users, last: int) -> None:
    """Give each of `users` without a State one (a concurrent run may give it first)."""
    new = list(
        users.filter(digest_state__isnull=True)
        .annotate(first_watch=Min("watches__created"))
        .values_list("pk", "first_watch")
    )
    State.objects.bulk_create(
        [State(user_id=pk, cursor=_start(pk, first, last)) for pk, first in new], ignore_conflicts=True
    )


def move_on(users, last: int) -> None:
    """Those who cannot get digests now hear of nothing until `last` later. Monotonic: a
    concurrent run's later cursor is never taken back."""
    State.objects.exclude(user__in=users.values("pk")).filter(cursor__lt=last).update(cursor=last)


@transaction.atomic
def prepare(user, *, last: int, now) -> Digest | None:
    """The user's next digest, pending, with their cursor moved to `last`; None when nothing
    is new (the cursor still moves) or when another run holds the user."""
    state = State.objects.select_for_update(skip_locked=True).filter(user=user).first()
    if state is None:
        return None
    upto = max(state.cursor, last)
    events = selection.events_for(user, after=state.cursor, upto=upto)
    reminders = selection.reminders_due(user, now=now)
    digest = None
    if events or reminders:
        preference = getattr(user, "digest_preference", None) or Preference(user=user)
        days = settings.DIGEST_REMINDER_DAYS
        written = message.render(user, events, reminders, language=preference.language, days=days, now=now)
        digest = Digest.objects.create(
            user=user,
            from_seq=state.cursor,
            to_seq=upto,
            events=[event.seq for event in events],
            to=user.email,
            created=now,
            **written,
        )
        Reminder.objects.bulk_create(
            [Reminder(user=user, project=project, digest=digest, reminded=now) for project in reminders]
        )
    if upto != state.cursor:
        state.cursor = upto
        state.save(update_fields=["cursor"])
    return digest


SENT, SKIPPED, FAILED = "sent", "skipped", "failed"


def send(digest_id: int) -> str:
    """Send one pending digest and mark it sent: SENT; SKIPPED if it is not pending (sent, or
    being sent by another run); FAILED if the mail server refused it (it stays pending)."""
    with transaction.atomic():
        digest = (
            Digest.objects.select_for_update(skip_locked=True)
            .filter(pk=digest_id, status=DigestStatus.PENDING)
            .first()
        )
        if digest is None:
            return SKIPPED
        digest.attempts += 1
        email = EmailMultiAlternatives(
            digest.subject, digest.text, to=[digest.to], headers={"Message-ID": message.message_id(digest)}
        )
        email.attach_alternative(digest.html, "text/html")
        try:
            email.send()
        except (smtplib.SMTPException, OSError):
            log.exception("digest %s to user %s not sent; the next run retries it", digest.pk, digest.user_id)
            digest.save(update_fields=["attempts"])
            return FAILED
        digest.status, digest.sent = DigestStatus.SENT, timezone.now()
        digest.save(update_fields=["attempts", "status", "sent"])
        return SENT


def send_digests(*, now=None) -> Outcome:
    """One run: prepare every user's digest, then send every pending digest."""
    now = now or timezone.now()
    last = sequence.assign()
    users = recipients()
    open_states(users, last)
    move_on(users, last)
    outcome = Outcome()
    for user in users:
        if prepare(user, last=last, now=now) is not None:
            outcome.prepared += 1
    pending = Digest.objects.filter(status=DigestStatus.PENDING).order_by("pk").values_list("pk", flat=True)
    for digest_id in list(pending):
        result = send(digest_id)
        outcome.sent += result == SENT
        outcome.failed += result == FAILED
    return outcome
