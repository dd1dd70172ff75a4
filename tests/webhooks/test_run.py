"""A pass of deliver_webhooks against a real receiver: what is sent, signed how, retried when,
turned off after how many failures, and sent again with the same key after a crash."""

import pytest

from events import sequence
from events.models import Event
from plans import services as plan_services
from projects import services
from projects.models import DevelopmentKind, Status
from tests.factories import EditionFactory, HeadingFactory, ProjectFactory
from webhooks import run
from webhooks.models import Delivery, DeliveryStatus, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(listing_group=None, name="首都圏鉄道", name_en="Metro line")


def _develop(project, text="入札公示"):
    return services.development_add(project=project, kind=DevelopmentKind.PROCUREMENT, text=text)


def test_a_development_reaches_the_endpoint_signed_with_its_secret(receiver, project):
    endpoint = receiver.endpoint([Topic.DEVELOPMENT_ADDED])
    development = _develop(project)

    outcome = run.deliver_webhooks()

    assert (outcome.queued, outcome.sent, outcome.failed) == (1, 1, 0)
    (request,) = receiver.requests
    delivery = Delivery.objects.get()
    assert request["verified"] is True
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["X-Tracker-Event"] == "development.added"
    assert request["headers"]["X-Tracker-Delivery"] == str(delivery.key) == request["json"]["id"]
    body = request["json"]
    assert body["type"] == "development.added"
    assert body["project"]["number"] == project.number and body["project"]["name_en"] == "Metro line"
    assert body["data"]["development"]["id"] == development.pk
    assert body["data"]["development"]["text"] == "入札公示"
    assert body["occurred"] == Event.objects.get(kind="development_added").occurred.isoformat()
    assert delivery.status == DeliveryStatus.SENT and delivery.last_status_code == 200
    assert delivery.attempts == 1 and delivery.sent_at is not None
    endpoint.refresh_from_db()
    assert endpoint.cursor == sequence.last()

    assert run.deliver_webhooks().sent == 0  # nothing new, nothing sent twice
    assert len(receiver.requests) == 1


def test_a_tampered_signature_does_not_verify(receiver, project):
    receiver.endpoint()
    _develop(project)
    receiver.secret = "another secret"

    run.deliver_webhooks()

    assert receiver.requests and not any(request["verified"] for request in receiver.requests)


def test_each_topic_hears_of_its_kinds_only(receiver, project):
    topics = {
        Topic.DEVELOPMENT_ADDED: receiver.endpoint([Topic.DEVELOPMENT_ADDED]),
        Topic.STATUS_CHANGED: receiver.endpoint([Topic.STATUS_CHANGED]),
        Topic.PROJECT_CHANGED: receiver.endpoint([Topic.PROJECT_CHANGED]),
        Topic.EDITION_PUBLISHED: receiver.endpoint([Topic.EDITION_PUBLISHED]),
    }
    development = _develop(project)
    services.development_update(development=development, text="訂正")
    services.project_change_status(project=project, status=Status.IMPLEMENTATION)
    HeadingFactory(edition=EditionFactory(year=2030))
    edition = plan_services.start_edition(2031)
    plan_services.add_listing(edition, project, heading=edition.headings.first())
    plan_services.publish(edition)

    run.deliver_webhooks()

    heard = {
        topic: sorted(Delivery.objects.filter(endpoint=endpoint).values_list("event__kind", flat=True))
        for topic, endpoint in topics.items()
    }
    assert heard == {
        Topic.DEVELOPMENT_ADDED: ["development_added"],
        Topic.STATUS_CHANGED: ["status_changed"],
        Topic.PROJECT_CHANGED: ["development_changed", "listed"],
        Topic.EDITION_PUBLISHED: ["edition_published"],
    }
    published = next(r["json"] for r in receiver.requests if r["json"]["type"] == "edition.published")
    assert published["edition"]["year"] == 2031 and published["project"] is None
