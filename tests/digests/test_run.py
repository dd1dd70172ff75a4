"""A run of send_digests: who hears of what, grouped by project, in their language, once."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from digests.models import Digest, DigestStatus, Preference, State
from digests.run import send_digests
from events import sequence
from events.models import Event
from plans import services as plan_services
from projects import services
from projects.models import DevelopmentKind, Status
from tests.digests.helpers import outbox_for, told
from tests.factories import (
    CountryFactory,
    EditionFactory,
    HeadingFactory,
    ListingFactory,
    ProjectFactory,
    SectorFactory,
    UserFactory,
    WatchFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(listing_group=None, name="首都圏鉄道", name_en="Metro line")


def _develop(project, text="入札公示", **extra):
    return services.development_add(project=project, kind=DevelopmentKind.PROCUREMENT, text=text, **extra)


def test_a_watcher_gets_what_changed_grouped_by_project_with_links(project, settings):
    settings.SITE_URL = "https://tracker.example.go.jp"
    other = ProjectFactory(listing_group=None, name="港湾整備")
    user = UserFactory()
    WatchFactory(user=user, project=project)
    WatchFactory(user=user, project=other)
    _develop(project, date=date(2025, 4, 1), date_precision="month")
    services.project_change_status(project=project, status=Status.IMPLEMENTATION)
    services.project_update(project=other, summary="新しい概要")

    outcome = send_digests()

    assert (outcome.prepared, outcome.sent, outcome.failed) == (1, 1, 0)
    (message,) = mail.outbox
    assert message.to == [user.email]
    body = message.body
    first, second = body.index(f"{project.number} 首都圏鉄道"), body.index(f"{other.number} 港湾整備")
    assert (first < second) == (project.number < other.number)
    assert f"https://tracker.example.go.jp/projects/{project.number}/" in body
    assert message.subject.startswith("【案件トラッカー】ウォッチ中の2件の案件に変更")
    assert "新しい動き: [入札・調達] 2025年4月 入札公示" in body
    assert "実施" in body  # the new status, in Japanese by default
    assert "概要" in body  # the field edited, by its name
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<a href="https://tracker.example.go.jp/projects/{project.number}/">' in html
    assert message.extra_headers["Message-ID"].startswith("<digest-")


def test_the_next_run_tells_only_what_is_new_and_nothing_when_nothing_is(project):
    user = UserFactory()
    WatchFactory(user=user, project=project)
    _develop(project, text="一回目")
    send_digests()
    send_digests()
    assert len(mail.outbox) == 1

    _develop(project, text="二回目")
    send_digests()

    assert len(mail.outbox) == 2
    assert "二回目" in mail.outbox[1].body and "一回目" not in mail.outbox[1].body
    assert sum(told().values()) == 2 and set(told().values()) == {1}


def test_users_who_do_not_watch_the_project_or_cannot_get_mail_hear_nothing(project):
    watcher = UserFactory()
    WatchFactory(user=watcher, project=project)
    WatchFactory(user=UserFactory(), project=ProjectFactory(listing_group=None))
    WatchFactory(user=UserFactory(email=""), project=project)
    WatchFactory(user=UserFactory(is_active=False), project=project)
    off = UserFactory()
    WatchFactory(user=off, project=project)
    Preference.objects.create(user=off, enabled=False)
    _develop(project)

    send_digests()

    assert [m.to for m in mail.outbox] == [[watcher.email]]


def test_a_watch_brings_no_history_and_a_new_user_starts_after_it(project):
    _develop(project, text="見る前")
    send_digests()  # no one watches: nothing
    user = UserFactory()
    WatchFactory(user=user, project=project)
    _develop(project, text="見た後")

    send_digests()

    (message,) = mail.outbox
    assert "見た後" in message.body and "見る前" not in message.body


def test_everyone_who_watched_a_deleted_project_hears_of_its_deletion(project):
    by_country, by_sector, by_project, other = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    WatchFactory(user=by_country, country=project.country)
    WatchFactory(user=by_sector, sector=project.sectors.first())
    WatchFactory(user=by_project, project=project)  # deleted with the project
    WatchFactory(user=other, country=CountryFactory())
    send_digests()  # each has had a digest run
    mail.outbox.clear()
    number = project.number
    project.delete()

    send_digests()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (by_country, by_sector, by_project)
    )
    for message in mail.outbox:
        assert "削除" in message.body
        assert f"/projects/{number}/" not in message.body  # no page to link to


def test_the_language_is_the_users_choice(project):
    english = UserFactory()
    Preference.objects.create(user=english, language="en")
    WatchFactory(user=english, project=project)
    services.project_change_status(project=project, status=Status.IMPLEMENTATION)

    send_digests()

    (message,) = mail.outbox
    assert "Metro line" in message.body and "Status changed" in message.body
    assert "首都圏鉄道" not in message.body


def test_an_edition_published_reaches_the_watchers_of_its_projects():
    previous = EditionFactory(year=2030)
    kept, added = ProjectFactory(listing_group=None), ProjectFactory(listing_group=None)
    ListingFactory(edition=previous, project=kept, heading=HeadingFactory(edition=previous))
    watching_kept, watching_added, elsewhere = UserFactory(), UserFactory(), UserFactory()
    WatchFactory(user=watching_kept, project=kept)
    WatchFactory(user=watching_added, project=added)
    WatchFactory(user=elsewhere, project=ProjectFactory(listing_group=None))
    edition = plan_services.start_edition(2031)
    plan_services.add_listing(edition, added, heading=edition.headings.first())

    plan_services.publish(edition)
    send_digests()

    assert sorted(m.to[0] for m in mail.outbox) == sorted([watching_kept.email, watching_added.email])
    (to_added,) = outbox_for(watching_added)
    assert "2031" in to_added.body and f"{added.number}" in to_added.body


def test_a_user_who_turns_digests_off_does_not_get_the_backlog_on_turning_them_back_on(project):
    user = UserFactory()
    WatchFactory(user=user, project=project)
    send_digests()
    preference = Preference.objects.create(user=user, enabled=False)
    _develop(project, text="止めている間")
    send_digests()
    preference.enabled = True
    preference.save()
    _develop(project, text="再開後")

    send_digests()

    (message,) = mail.outbox
    assert "再開後" in message.body and "止めている間" not in message.body


def test_queries_are_a_fixed_number_per_user_whatever_the_number_of_events(django_assert_max_num_queries):
    users = [UserFactory() for _ in range(3)]
    projects = [ProjectFactory(listing_group=None) for _ in range(3)]
    for user in users:
        for project in projects:
            WatchFactory(user=user, project=project)
    send_digests()  # their states opened: the runs below are the daily ones

    def measured_run(changes):
        for index in range(changes):
            _develop(projects[index % 3], text=f"動き{index}", user=users[index % 3])  # actors named
        sequence.assign()
        with django_assert_max_num_queries(10 + 16 * len(users)) as captured:
            send_digests()
        return len(captured.captured_queries)

    few, many = measured_run(3), measured_run(30)

    assert few == many
    assert len(mail.outbox) == 6


def test_the_command_says_what_it_did(project, capsys):
    WatchFactory(user=UserFactory(), project=project)
    _develop(project)

    call_command("send_digests")

    assert "1 digest(s) prepared, 1 sent, 0 not sent." in capsys.readouterr().out
    assert Digest.objects.get().status == DigestStatus.SENT
    assert State.objects.get().cursor == sequence.last() == Event.objects.latest("seq").seq


def test_a_sector_watch_hears_of_a_new_project_in_its_sector():
    sector = SectorFactory()
    user = UserFactory()
    WatchFactory(user=user, sector=sector)
    project = services.project_create(
        user=UserFactory(),
        number=950,
        name="新規",
        name_en="New",
        summary="概要",
        country=CountryFactory(),
        sectors=[sector],
    )

    send_digests()

    (message,) = mail.outbox
    assert f"{project.number} 新規" in message.body
