"""Tokens in the admin: issued by an administrator, listed."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from accounts.roles import ADMINISTRATOR, VIEWER
from tests.clients import token_client
from tests.factories import UserFactory
from tokens.models import APIToken

pytestmark = pytest.mark.django_db


def test_administrator_issues_a_token_in_the_admin(client):
    admin_user = UserFactory(role=ADMINISTRATOR)
    owner = UserFactory(role=VIEWER)
    client.force_login(admin_user)
    expires = timezone.localtime() + timedelta(days=30)

    response = client.post(
        "/admin/tokens/apitoken/add/",
        {
            "name": "dashboard",
            "user": owner.pk,
            "read_only": "on",
            "expiry_date_0": expires.strftime("%Y-%m-%d"),
            "expiry_date_1": expires.strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    token = APIToken.objects.get()
    assert token.user == owner and token.read_only
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    key = next(
        word.rstrip(".") for m in messages for word in m.split() if word.startswith(token.prefix + ".")
    )
    assert token_client(key).get("/api/projects/").status_code == 200


def test_token_changelist_loads(client):
    client.force_login(UserFactory(role=ADMINISTRATOR))
    APIToken.objects.issue(user=UserFactory(), name="x")

    response = client.get("/admin/tokens/apitoken/")

    assert response.status_code == 200
    assert b"x" in response.content
