"""The responsible officers' reminders: the window to the microsecond, once per silent window."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from digests.models import Reminder
from digests.run import send_digests
from digests.selection import reminders_due
from projects.models import Development, DevelopmentKind, Project
from tests.factories import DevelopmentFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
TICK = timedelta(microseconds=1)


@pytest.fixture
def officer():
    return UserFactory()


@pytest.fixture
def start():
    return timezone.now().replace(microsecond=0)


def _project(officer, *, created, recorded=()):
    project = ProjectFactory(listing_group=None)
    Project.objects.filter(pk=project.pk).update(created=created)
    Development.objects.filter(project=project).delete()
    for when in recorded:
        DevelopmentFactory(project=project, recorded_at=when, kind=DevelopmentKind.OTHER)
    project.responsible.add(officer)
    return project


def test_the_window_is_exact(officer, start, settings):
    settings.DIGEST_REMINDER_DAYS = 90
    project = _project(officer, created=start - 400 * DAY, recorded=[start - 200 * DAY, start])

    assert reminders_due(officer, now=start + 90 * DAY - TICK) == []
    assert reminders_due(officer, now=start + 90 * DAY) == [project]


def test_recorded_at_counts_not_the_date_the_development_names(officer, start, settings):
    """A development recorded today about an event long past (or planned) is a record kept."""
    settings.DIGEST_REMINDER_DAYS = 30
    project = _project(officer, created=start - 400 * DAY)
    DevelopmentFactory(
        project=project, recorded_at=start, date=(start - 300 * DAY).date(), date_precision="day"
    )

    assert reminders_due(officer, now=start + 30 * DAY - TICK) == []
    assert reminders_due(officer, now=start + 30 * DAY) == [project]


def test_a_project_with_no_development_counts_from_its_creation(officer, start, settings):
    settings.DIGEST_REMINDER_DAYS = 10
    project = _project(officer, created=start)

    assert reminders_due(officer, now=start + 10 * DAY - TICK) == []
    assert reminders_due(officer, now=start + 10 * DAY) == [project]


def test_once_per_silent_window_then_again_after_another_full_window(officer, start, settings):
    settings.DIGEST_REMINDER_DAYS = 7
    project = _project(officer, created=start - 100 * DAY, recorded=[start - 7 * DAY])

    send_digests(now=start)  # due: reminded
    send_digests(now=start + 1 * DAY)  # the next day: not again
    send_digests(now=start + 7 * DAY - TICK)
    assert len(mail.outbox) == 1
    send_digests(now=start + 7 * DAY)  # a full window after the reminder: again

    assert len(mail.outbox) == 2
    assert list(Reminder.objects.order_by("reminded").values_list("reminded", flat=True)) == [
        start,
        start + 7 * DAY,
    ]
    assert f"{project.number} " in mail.outbox[0].body and "/projects/" in mail.outbox[0].body


def test_a_new_development_restarts_the_clock(officer, start, settings):
    settings.DIGEST_REMINDER_DAYS = 7
    project = _project(officer, created=start - 100 * DAY, recorded=[start - 7 * DAY])
    send_digests(now=start)
    DevelopmentFactory(project=project, recorded_at=start + 3 * DAY, kind=DevelopmentKind.OTHER)

    assert reminders_due(officer, now=start + 10 * DAY - TICK) == []
    assert reminders_due(officer, now=start + 10 * DAY) == [project]


def test_only_the_responsible_officer_is_reminded_and_only_of_their_projects(officer, start, settings):
    settings.DIGEST_REMINDER_DAYS = 7
    mine = _project(officer, created=start - 30 * DAY)
    _project(UserFactory(email=""), created=start - 30 * DAY)  # no address: no mail
    bystander = UserFactory()

    send_digests(now=start)

    (message,) = mail.outbox
    assert message.to == [officer.email]
    assert f"{mine.number} " in message.body
    assert not Reminder.objects.exclude(user=officer).exists()
    assert reminders_due(bystander, now=start) == []
