"""Two passes at once (PostgreSQL's row locks): each delivery is POSTed once."""

import threading

import pytest
from django.db import connections

from projects import services
from projects.models import DevelopmentKind
from tests.factories import ProjectFactory
from webhooks import run
from webhooks.models import Delivery, DeliveryStatus


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_passes_at_once_send_each_delivery_once(receiver):
    project = ProjectFactory(listing_group=None)
    receiver.endpoint()
    receiver.endpoint()
    for index in range(10):
        services.development_add(project=project, kind=DevelopmentKind.OTHER, text=f"動き{index}")
    barrier, errors, outcomes = threading.Barrier(2), [], []

    def one_pass():
        try:
            barrier.wait(timeout=30)
            outcomes.append(run.deliver_webhooks())
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one_pass) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    keys = receiver.keys()
    assert len(keys) == len(set(keys)) == Delivery.objects.count() == 20
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert sum(outcome.sent for outcome in outcomes) == 20
    assert sum(outcome.queued for outcome in outcomes) == 20
