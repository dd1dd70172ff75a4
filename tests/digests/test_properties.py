"""Random changes, watches and runs (some of them crashing): every change reaches every
watcher exactly once, and no two digests tell the same change to one user.

The watchers of a change (digests.selection): the users who, when the run that prepares their
digest reads it, hold a watch covering the change's project that was created before the
change. The model below computes that set from the steps alone (a watch made at an earlier
step than the change), apart from the code under test.
"""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from digests import run
from digests.models import Digest, DigestStatus
from events.models import Event
from projects import services
from projects.models import Development, DevelopmentKind, Status
from tests.digests.helpers import told
from tests.factories import CountryFactory, ProjectFactory, SectorFactory, UserFactory
from watches.models import Watch

USERS, PROJECTS = 3, 3
# Project j: its country and its sector (two countries, two sectors, overlapping).
COUNTRY_OF, SECTOR_OF = (0, 0, 1), (0, 1, 1)
CHANGES = ("develop", "edit_development", "delete_development", "status", "edit")

actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("watch"),
            st.integers(0, USERS - 1),
            st.sampled_from(["project", "country", "sector"]),
            st.integers(0, PROJECTS - 1),
        ),
        st.tuples(st.just("unwatch"), st.integers(0, USERS - 1), st.integers(0, 5)),
        st.tuples(st.just("change"), st.sampled_from(CHANGES), st.integers(0, PROJECTS - 1)),
        st.tuples(st.just("run"), st.none() | st.integers(0, USERS - 1)),  # n: crash after n users
    ),
    min_size=1,
    max_size=20,
)


class Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    """Each example in a savepoint of its own, undone after (the test's database is shared)."""
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


class World:
    def __init__(self):
        countries = [CountryFactory() for _ in range(2)]
        sectors = [SectorFactory() for _ in range(2)]
        self.countries, self.sectors = countries, sectors
        self.projects = [
            ProjectFactory(
                listing_group=None, country=countries[COUNTRY_OF[j]], sectors=[sectors[SECTOR_OF[j]]]
            )
            for j in range(PROJECTS)
        ]
        self.users = [UserFactory() for _ in range(USERS)]
        self.step = 0
        self.watches = {}  # (user, kind, index) -> (Watch, step made)
        self.events = {}  # event id -> (project index, step)
        self.considered = {u: set() for u in range(USERS)}  # event ids each user's runs have read
        self.expected = set()  # (user index, event id)
        self.last_event = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def covers(self, kind, index, project):
        return {
            "project": index == project,
            "country": index == COUNTRY_OF[project],
            "sector": index == SECTOR_OF[project],
        }[kind]

    def watch(self, user, kind, index):
        index %= {"project": PROJECTS, "country": 2, "sector": 2}[kind]
        if (user, kind, index) not in self.watches:
            targets = {"project": self.projects, "country": self.countries, "sector": self.sectors}[kind]
            target = targets[index]
            self.watches[user, kind, index] = (
                Watch.objects.create(user=self.users[user], **{kind: target}),
                self.step,
            )

    def unwatch(self, user, nth):
        mine = sorted(key for key in self.watches if key[0] == user)
        if mine:
            watch, _step = self.watches.pop(mine[nth % len(mine)])
            watch.delete()

    def change(self, what, j):
        project = self.projects[j]
        project.refresh_from_db()
        latest = Development.objects.filter(project=project).order_by("-sequence").first()
        if what == "develop" or (what in ("edit_development", "delete_development") and latest is None):
            services.development_add(project=project, kind=DevelopmentKind.OTHER, text=f"動き{self.step}")
        elif what == "edit_development":
            services.development_update(development=latest, text=f"訂正{self.step}")
        elif what == "delete_development":
            services.development_delete(development=latest)
        elif what == "status":
            new = Status.IMPLEMENTATION if project.status != Status.IMPLEMENTATION else Status.IDENTIFICATION
            services.project_change_status(project=project, status=new)
        else:
            services.project_update(project=project, summary=f"概要{self.step}")
        for event_id in Event.objects.filter(id__gt=self.last_event).values_list("id", flat=True):
            self.events[event_id] = (j, self.step)
            self.last_event = max(self.last_event, event_id)

    def run(self, crash_after):
        """The model first: the users a run prepares (watching something, in id order) read
        every event they have not read, and hear of those a watch made earlier covers."""
        candidates = sorted(u for u in range(USERS) if any(key[0] == u for key in self.watches))
        for position, user in enumerate(candidates):
            if crash_after is not None and position == crash_after:
                break
            for event_id, (j, step) in self.events.items():
                if event_id in self.considered[user]:
                    continue
                self.considered[user].add(event_id)
                if any(
                    key[0] == user and self.covers(key[1], key[2], j) and made < step
                    for key, (_w, made) in self.watches.items()
                ):
                    self.expected.add((user, event_id))
        for user in set(range(USERS)) - set(candidates):
            self.considered[user] |= set(self.events)  # moved on: digests.run.move_on
        if crash_after is None or crash_after >= len(candidates):
            run.send_digests()
            return
        real, calls = run.prepare, []

        def crashing(user, **kwargs):
            if len(calls) == crash_after:
                raise RuntimeError("killed")
            calls.append(user)
            return real(user, **kwargs)

        with mock.patch.object(run, "prepare", crashing), pytest.raises(RuntimeError):
            run.send_digests()


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
# A watch made after a change does not bring it; another watch of the same user does not either.
@example(
    steps=[("watch", 0, "project", 0), ("change", "develop", 1), ("watch", 0, "project", 1), ("run", None)]
)
# A crash after the first user; an unwatch before the rerun drops only what was not prepared.
@example(
    steps=[
        ("watch", 0, "country", 0),
        ("watch", 1, "project", 0),
        ("change", "develop", 0),
        ("run", 1),
        ("unwatch", 1, 0),
        ("unwatch", 0, 0),
        ("change", "status", 0),
        ("watch", 2, "sector", 1),
        ("change", "edit", 2),
        ("run", None),
        ("change", "delete_development", 0),
    ]
)
def test_every_change_reaches_every_watcher_exactly_once(steps):
    with rolled_back():
        mail.outbox.clear()
        world = World()
        for action in steps:
            world.step += 1
            getattr(world, action[0])(*action[1:])
        world.step += 1
        world.run(None)  # a last run sends what the crashed ones left

        seq_of = dict(Event.objects.filter(id__in=world.events).values_list("id", "seq"))
        expected = {(world.users[u].pk, seq_of[event_id]) for u, event_id in world.expected}
        counts = told()
        assert set(counts) == expected
        assert set(counts.values()) <= {1}
        assert not Digest.objects.filter(status=DigestStatus.PENDING).exists()
        assert len(mail.outbox) == Digest.objects.count()
