"""Failures: the backoff (an injected clock, no sleeping), a delivery failed for good, an
endpoint turned off, a crash after the receiver answered, the loop's clean stop, and the
queries of a pass."""

import os
import signal
import socket
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from projects import services
from projects.models import DevelopmentKind
from tests.factories import ProjectFactory
from tests.webhooks.conftest import Clock
from webhooks import run, safety
from webhooks.models import Delivery, DeliveryStatus, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(listing_group=None)


def _develop(project, count=1):
    for index in range(count):
        services.development_add(project=project, kind=DevelopmentKind.OTHER, text=f"動き{index}")


def test_a_failure_is_retried_after_a_doubling_delay_up_to_the_cap(receiver, project, settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS, settings.WEBHOOKS_RETRY_CAP_SECONDS = 60, 300
    settings.WEBHOOKS_MAX_ATTEMPTS, settings.WEBHOOKS_MAX_FAILURES = 50, 50
    receiver.endpoint()
    _develop(project)
    receiver.statuses = [500, 503, 404, 500, 500]
    clock = Clock(timezone.now())
    delays = []

    for _attempt in range(5):
        assert run.deliver_webhooks(clock=clock).failed == 1
        delivery = Delivery.objects.get()
        delays.append((delivery.next_attempt_at - clock.now).total_seconds())
        assert run.deliver_webhooks(clock=clock).failed == 0  # not due yet: nothing sent
        clock.now = delivery.next_attempt_at
    assert delays == [60, 120, 240, 300, 300]
    assert delivery.last_status_code == 500 and delivery.last_error.startswith("HTTP 500")

    assert run.deliver_webhooks(clock=clock).sent == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 6
    assert len(set(receiver.keys())) == 1 and len(receiver.requests) == 6
    assert Endpoint.objects.get().consecutive_failures == 0


def test_a_connection_error_counts_as_a_failure(receiver, project):
    endpoint = receiver.endpoint()
    receiver.server.shutdown()
    receiver.server.server_close()
    _develop(project)

    assert run.deliver_webhooks().failed == 1

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code is None
    assert "ConnectionRefusedError" in delivery.last_error
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1 and endpoint.active


def test_a_delivery_fails_for_good_after_the_last_attempt(receiver, project, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS, settings.WEBHOOKS_MAX_FAILURES = 2, 50
    receiver.endpoint()
    _develop(project)
    receiver.statuses = [500, 500, 500]
    clock = Clock(timezone.now())

    run.deliver_webhooks(clock=clock)
    clock.now += timedelta(days=1)
    run.deliver_webhooks(clock=clock)
    clock.now += timedelta(days=1)
    run.deliver_webhooks(clock=clock)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == (DeliveryStatus.FAILED, 2, 2)


def test_an_endpoint_is_turned_off_after_n_failures_in_a_row(receiver, project, settings, english):
    settings.WEBHOOKS_MAX_FAILURES = 3
    endpoint = receiver.endpoint()
    _develop(project, count=5)
    receiver.statuses = [500] * 10

    outcome = run.deliver_webhooks()

    endpoint.refresh_from_db()
    assert outcome.failed == 3 and len(receiver.requests) == 3
    assert not endpoint.active and endpoint.consecutive_failures == 3
    assert "3" in endpoint.disabled_reason and "HTTP 500" in endpoint.disabled_reason
    _develop(project)
    assert run.deliver_webhooks().queued == 0  # an inactive endpoint hears of nothing for now
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 5


def test_a_success_resets_the_count_of_failures(receiver, project, settings):
    settings.WEBHOOKS_MAX_FAILURES = 3
    endpoint = receiver.endpoint()
    _develop(project, count=4)
    receiver.statuses = [500, 500, 200, 500]

    run.deliver_webhooks()

    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.consecutive_failures == 1


def test_a_crash_after_the_receiver_answered_resends_with_the_same_key(receiver, project, monkeypatch):
    receiver.endpoint()
    _develop(project)
    real_mark = run.mark

    def crash_once(*args, **kwargs):
        monkeypatch.setattr(run, "mark", real_mark)
        raise RuntimeError("killed after the POST")

    monkeypatch.setattr(run, "mark", crash_once)
    with pytest.raises(RuntimeError):
        run.deliver_webhooks()
    assert Delivery.objects.get().status == DeliveryStatus.PENDING

    run.deliver_webhooks()

    first, again = receiver.requests
    assert first["headers"]["X-Tracker-Delivery"] == again["headers"]["X-Tracker-Delivery"]
    assert first["json"] == again["json"]
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_the_queries_of_a_pass_do_not_grow_with_the_events(receiver, project, django_assert_max_num_queries):
    receiver.endpoint()
    receiver.endpoint()
    _develop(project, count=30)
    last, endpoints = run.sequence.assign(), list(Endpoint.objects.values_list("pk", flat=True))
    # Queueing, per endpoint: a lock, a read, an insert and the cursor (and the savepoints).
    with django_assert_max_num_queries(2 * 6):
        for endpoint_id in endpoints:
            run.enqueue(endpoint_id, last=last, now=timezone.now())
    assert Delivery.objects.count() == 60
    # Sending: the sequencer and the lists, then per delivery its transaction: the locked read, its mark, the endpoint's count.
    with django_assert_max_num_queries(10 + 60 * 5):
        assert run.deliver_webhooks().sent == 60


def test_the_loop_stops_cleanly_on_sigterm(monkeypatch, capsys):
    passes = []

    def one_pass(**kwargs):
        passes.append(1)
        os.kill(os.getpid(), signal.SIGTERM)
        return run.Outcome()

    monkeypatch.setattr(run, "deliver_webhooks", one_pass)
    call_command("deliver_webhooks", "--loop", "--interval", "3600")

    assert passes == [1]
    assert "Stopped." in capsys.readouterr().out
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def _resolve(monkeypatch, address):
    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(safety.socket, "getaddrinfo", fake)


def test_the_post_goes_to_the_address_checked_under_the_host_name(receiver, project, monkeypatch):
    port = receiver.server.server_address[1]
    receiver.endpoint(url=f"http://hooks.test:{port}/in")
    _resolve(monkeypatch, "127.0.0.1")  # "hooks.test" resolves nowhere else
    _develop(project)

    assert run.deliver_webhooks().sent == 1

    assert receiver.requests[0]["headers"]["Host"] == f"hooks.test:{port}"


def test_a_host_that_resolves_privately_at_send_time_is_not_called(
    receiver, project, monkeypatch, settings, english
):
    endpoint = receiver.endpoint(url="https://hooks.example.com/in")
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    _resolve(monkeypatch, "127.0.0.1")  # a DNS answer changed since the endpoint was saved
    _develop(project)

    assert run.deliver_webhooks().failed == 1

    assert receiver.requests == []
    assert "private or reserved" in Delivery.objects.get().last_error
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1
