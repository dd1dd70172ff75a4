"""The outbox is numbered in commit order, so a reader following `seq` never steps over an event."""

import threading

import pytest
from django.db import connections, transaction

from events import sequence
from events.models import Event, EventKind


def _event(**fields):
    return Event.objects.create(kind=EventKind.EDITION_PUBLISHED, edition_year=2030, **fields)


@pytest.mark.django_db
def test_assign_numbers_new_events_after_the_last_and_only_once():
    first, second = _event(), _event()

    assert sequence.assign() == 2
    assert sequence.assign() == 2  # nothing new: nothing renumbered
    third = _event()
    assert sequence.assign() == 3

    seqs = [Event.objects.get(pk=e.pk).seq for e in (first, second, third)]
    assert seqs == [1, 2, 3]
    assert sequence.last() == 3


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_is_numbered_after_those_numbered_before_it():
    """A transaction takes its event's id first but commits last: its event gets the next
    seq, above every seq a reader may already have handled."""
    written, release = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                _event(payload={"who": "slow"})
                written.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert written.wait(timeout=30)
    fast = _event(payload={"who": "fast"})  # a larger id, committed first

    assert sequence.assign() == 1
    assert Event.objects.get(pk=fast.pk).seq == 1
    release.set()
    thread.join(timeout=30)

    assert sequence.assign() == 2
    slow = Event.objects.get(payload__who="slow")
    assert slow.pk < fast.pk and slow.seq == 2
