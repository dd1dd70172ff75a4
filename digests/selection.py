"""What one user's digest tells: the events they hear of, and the reminders due to them.

Who hears of an event (the one definition; README, "Staying informed"): a user hears of an
event when, as the run reads it, one of their watches covers the event's project (as
watches.query defines it, the project as it is then) and that watch was created no later than
the event occurred. So a watch brings no history with it, and a watch removed before the
digest takes its news with it. Three cases need more than watches.query:
- a deleted project (the event's project is gone, its project watches with it): those who
  watched it when it was deleted (the event's payload names them: events.record) and the
  watchers of its country or region, as the payload names the country, hear of it;
- `edition_published`: the watchers of any project the edition lists hear of it;
- the events of a run: each user's from their own cursor (digests.run), so an event is in at
  most one of their digests.

Reminders: a responsible officer hears of each of their projects whose clock is at least
DIGEST_REMINDER_DAYS old, the clock being the latest of: the project's last development's
`recorded_at` (with none, the project's creation) and the officer's last reminder about it.
So once per silent window, again after each further full window, and a new development
restarts the clock.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import DateTimeField, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Greatest

from countries.models import Country
from digests.models import Reminder
from events.models import Event, EventKind
from plans.models import Listing
from projects.models import Development, Project
from watches.models import Watch
from watches.query import watched_projects_q


def _heard_through(watch: Watch) -> Q:
    """A Q over Event (aliased `payload_country`: events_for): the events `watch` brings."""
    covered = Project.objects.filter(watched_projects_q(Watch.objects.filter(pk=watch.pk))).values("pk")
    about = Q(project__in=covered)
    if watch.country_id is not None:
        countries = Country.objects.filter(pk=watch.country_id).values("iso_code")
    elif watch.region_id is not None:
        countries = Country.objects.filter(region=watch.region_id).values("iso_code")
    else:
        countries = None
    if countries is not None:
        about |= Q(project=None, project_number__isnull=False, payload_country__in=countries)
    listed = Listing.objects.filter(project__in=covered).values("edition__year")
    published = Q(kind=EventKind.EDITION_PUBLISHED, edition_year__in=listed)
    return Q(occurred__gte=watch.created) & (about | published)


def events_for(user, *, after: int, upto: int) -> list[Event]:
    """The events (after, upto] of seq that `user` hears of, in seq order: three queries."""
    if upto <= after:
        return []
    in_range = Event.objects.filter(seq__gt=after, seq__lte=upto).select_related("actor")
    # A deleted project's watchers, as its event names them (their watches of it are gone).
    deleted = [
        event
        for event in in_range.filter(kind=EventKind.PROJECT_DELETED, project=None)
        if user.pk in event.payload.get("watchers", ())
    ]
    watches = list(Watch.objects.of(user))
    heard = Q()
    for watch in watches:
        heard |= _heard_through(watch)
    found = (
        list(in_range.alias(payload_country=KT("payload__project__country")).filter(heard)) if watches else []
    )
    return sorted({event.seq: event for event in [*found, *deleted]}.values(), key=lambda event: event.seq)


def reminders_due(user, *, now: datetime, days: int | None = None) -> list[Project]:
    """The projects `user` is responsible for whose clock is `days` old or more at `now`."""
    days = settings.DIGEST_REMINDER_DAYS if days is None else days
    recorded = (
        Development.objects.filter(project=OuterRef("pk")).order_by("-recorded_at").values("recorded_at")
    )
    reminded = (
        Reminder.objects.filter(user=user, project=OuterRef("pk")).order_by("-reminded").values("reminded")
    )
    return list(
        Project.objects.filter(responsible=user)
        .annotate(last_recorded=Subquery(recorded[:1], output_field=DateTimeField()))
        .annotate(
            clock=Greatest(
                Coalesce("last_recorded", "created"),
                Coalesce(Subquery(reminded[:1], output_field=DateTimeField()), "created"),
            )
        )
        .filter(clock__lte=now - timedelta(days=days))
        .order_by("number")
    )
