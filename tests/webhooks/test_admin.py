"""The webhooks' admin: administrators register endpoints (URL checked, secret shown) and read
the deliveries; editors and viewers neither see nor open them."""

import socket

import pytest
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from events import sequence
from events.models import Event
from projects import services
from projects.models import DevelopmentKind
from tests.admin_helpers import form_data, set_field
from tests.factories import ProjectFactory, UserFactory
from webhooks import run, safety
from webhooks.models import Delivery, Endpoint, Topic

pytestmark = pytest.mark.django_db

ADD = reverse("admin:webhooks_endpoint_add")


def _login(client, role):
    user = UserFactory(username=f"user-{role}", role=role)
    client.force_login(user)
    return user


@pytest.fixture
def public_dns(monkeypatch, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    def resolve(host, port, *args, **kwargs):
        address = "10.0.0.7" if host == "internal.example.com" else "93.184.216.34"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(safety.socket, "getaddrinfo", resolve)


def test_an_administrator_registers_an_endpoint_and_sees_its_secret(client, public_dns):
    _login(client, ADMINISTRATOR)
    ProjectFactory(listing_group=None)

    response = client.post(
        ADD,
        {
            "url": "https://hooks.example.com/in",
            "description": "部局",
            "events": ["development.added"],
            "active": "on",
        },
    )

    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["development.added"] and len(endpoint.secret) >= 40
    assert endpoint.cursor == sequence.last() > 0  # no backlog
    page = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
    assert page.status_code == 200 and endpoint.secret in page.content.decode()
    assert 'name="secret"' not in page.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/in",
        "https://127.0.0.1/in",
        "https://[::1]/in",
        "https://internal.example.com/in",
    ],
)
def test_an_unsafe_url_is_a_field_error(client, public_dns, url):
    _login(client, ADMINISTRATOR)

    response = client.post(ADD, {"url": url, "events": ["status.changed"], "active": "on"})

    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    assert not Endpoint.objects.exists()


def test_the_endpoint_page_shows_its_recent_deliveries_read_only(
    client, settings, django_assert_max_num_queries
):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint = Endpoint.objects.create(url="http://127.0.0.1:9/in", events=list(Topic.values))
    project = ProjectFactory(listing_group=None)
    for index in range(25):
        services.development_add(project=project, kind=DevelopmentKind.OTHER, text=f"動き{index}")
    run.enqueue(endpoint.pk, last=sequence.assign(), now=endpoint.created)
    _login(client, ADMINISTRATOR)

    with django_assert_max_num_queries(30):
        page = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
    with django_assert_max_num_queries(30):
        listing = client.get(reverse("admin:webhooks_delivery_changelist"))

    assert page.status_code == 200 and listing.status_code == 200
    shown = page.context["inline_admin_formsets"][0].formset.get_queryset()
    assert len(shown) == 20 < Delivery.objects.count()
    assert str(Delivery.objects.order_by("-created", "-id").first().key) in page.content.decode()


@pytest.mark.parametrize("role", [EDITOR, VIEWER])
def test_editors_and_viewers_neither_see_nor_open_the_webhooks(client, role):
    endpoint = Endpoint.objects.create(url="https://hooks.example.com/in", events=["status.changed"])
    _login(client, role)

    index = client.get(reverse("admin:index")).content.decode()

    assert "webhooks" not in index
    for url in (
        reverse("admin:webhooks_endpoint_changelist"),
        reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]),
        reverse("admin:webhooks_delivery_changelist"),
        ADD,
    ):
        assert client.get(url).status_code == 403


def test_turning_an_endpoint_back_on_clears_its_failures(client, public_dns):
    endpoint = Endpoint.objects.create(
        url="https://hooks.example.com/in",
        events=["status.changed"],
        active=False,
        consecutive_failures=10,
        disabled_reason="HTTP 500",
    )
    Delivery.objects.create(endpoint=endpoint, event=_an_event())
    _login(client, ADMINISTRATOR)
    url = reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])
    data = set_field(form_data(client.get(url), "endpoint_form"), "active", "on")

    response = client.post(url, data)

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.consecutive_failures, endpoint.disabled_reason) == (True, 0, "")
    assert endpoint.secret and Delivery.objects.count() == 1


def _an_event():
    ProjectFactory(listing_group=None)
    sequence.assign()
    return Event.objects.first()
