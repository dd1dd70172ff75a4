"""Each change once per watcher, whatever happens to a run: a crash midway, a mail server
that refuses, a crash after the server accepted, two runs at once."""

import smtplib
import threading

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connections

from digests import run
from digests.models import Digest, DigestStatus
from digests.run import send_digests
from projects import services
from projects.models import DevelopmentKind
from tests.digests.helpers import told
from tests.factories import ProjectFactory, UserFactory, WatchFactory


def _world(users=4, changes=3):
    projects = [ProjectFactory(listing_group=None) for _ in range(2)]
    people = [UserFactory() for _ in range(users)]
    for person in people:
        for project in projects:
            WatchFactory(user=person, project=project)
    for index in range(changes):
        services.development_add(project=projects[index % 2], kind=DevelopmentKind.OTHER, text=f"動き{index}")
    return people


def _everyone_told_everything_once(people, changes):
    counts = told()
    assert set(counts.values()) == {1}
    assert {user_id for user_id, _seq in counts} == {person.pk for person in people}
    assert len(counts) == len(people) * changes
    assert len(mail.outbox) == Digest.objects.filter(status=DigestStatus.SENT).count()


@pytest.mark.django_db
def test_a_crash_while_preparing_then_a_rerun_tells_each_change_once(monkeypatch):
    people = _world()
    real, prepared = run.prepare, []

    def crash_after_two(user, **kwargs):
        if len(prepared) == 2:
            raise RuntimeError("killed")
        prepared.append(real(user, **kwargs))
        return prepared[-1]

    monkeypatch.setattr(run, "prepare", crash_after_two)
    with pytest.raises(RuntimeError):
        send_digests()
    assert mail.outbox == [] and Digest.objects.filter(status=DigestStatus.PENDING).count() == 2
    monkeypatch.setattr(run, "prepare", real)

    send_digests()

    _everyone_told_everything_once(people, 3)


@pytest.mark.django_db
def test_a_crash_while_sending_then_a_rerun_sends_the_rest_with_the_same_content(monkeypatch):
    people = _world()
    real_send, sent = mail.EmailMultiAlternatives.send, []

    def crash_on_the_third(self, *args, **kwargs):
        if len(sent) == 2:
            raise RuntimeError("killed")
        sent.append(self.subject)
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", crash_on_the_third)
    with pytest.raises(RuntimeError):
        send_digests()
    waiting = {d.pk: (d.subject, d.text, d.html) for d in Digest.objects.filter(status=DigestStatus.PENDING)}
    assert len(mail.outbox) == 2 and len(waiting) == 2
    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", real_send)

    send_digests()

    _everyone_told_everything_once(people, 3)
    for digest in Digest.objects.filter(pk__in=waiting):
        assert (digest.subject, digest.text, digest.html) == waiting[digest.pk]


@pytest.mark.django_db
def test_a_crash_after_the_server_accepted_resends_with_the_same_message_id(monkeypatch):
    """The documented window: the repeat carries the first send's Message-ID."""
    (person,) = _world(users=1)
    real_save = Digest.save

    def crash_when_marked_sent(self, *args, **kwargs):
        if self.status == DigestStatus.SENT:
            raise RuntimeError("killed after the server accepted")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Digest, "save", crash_when_marked_sent)
    with pytest.raises(RuntimeError):
        send_digests()
    monkeypatch.setattr(Digest, "save", real_save)

    send_digests()

    first, again = mail.outbox
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert first.body == again.body
    assert Digest.objects.get().status == DigestStatus.SENT


@pytest.mark.django_db
def test_a_refusing_mail_server_leaves_the_digest_for_the_next_run(monkeypatch):
    people = _world(users=2)
    real_send = mail.EmailMultiAlternatives.send

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", refuse)
    with pytest.raises(CommandError, match="2 not sent"):
        call_command("send_digests")
    assert set(Digest.objects.values_list("status", "attempts")) == {(DigestStatus.PENDING, 1)}
    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", real_send)

    call_command("send_digests")

    _everyone_told_everything_once(people, 3)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_tell_each_change_once_per_watcher():
    people = _world(users=6, changes=4)
    barrier, errors = threading.Barrier(2), []

    def one_run():
        try:
            barrier.wait(timeout=30)
            send_digests()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    _everyone_told_everything_once(people, 4)
    assert len(mail.outbox) == len(people)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_run_leaves_the_user_another_run_holds_to_it(monkeypatch):
    """Run A holds its first user's row; run B, meanwhile, skips that user and does the rest;
    A then finishes its user and finds the others done."""
    people = _world(users=3, changes=2)
    holding, release, held, outcomes = threading.Event(), threading.Event(), [], {}
    real = run.selection.events_for

    def slow_for_the_first_user(user, **kwargs):
        if not held:
            held.append(user.pk)
            holding.set()
            release.wait(timeout=30)
        return real(user, **kwargs)

    def run_a():
        try:
            outcomes["a"] = send_digests()
        finally:
            connections.close_all()

    monkeypatch.setattr(run.selection, "events_for", slow_for_the_first_user)
    thread = threading.Thread(target=run_a)
    thread.start()
    assert holding.wait(timeout=30)
    outcomes["b"] = send_digests()
    release.set()
    thread.join(timeout=60)

    assert outcomes["b"].prepared == 2 and outcomes["a"].prepared == 1
    assert Digest.objects.get(user_id=held[0]).pk == max(Digest.objects.values_list("pk", flat=True))
    _everyone_told_everything_once(people, 2)
