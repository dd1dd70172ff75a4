"""The feed keys' admin: administrators see and revoke every user's keys; the hash is read-only;
other roles do not see it, and nobody adds a key there (the raw key is its user's)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, EDITOR
from feeds.models import FeedKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:feeds_feedkey_changelist")


def test_an_administrator_lists_and_revokes_any_users_keys(client, reader, key):
    client.force_login(UserFactory(role=ADMINISTRATOR))
    feed_key = FeedKey.objects.get()

    listing = client.get(CHANGELIST, {"q": "reader"})
    change = client.get(reverse("admin:feeds_feedkey_change", args=[feed_key.pk]))
    revoked = client.post(CHANGELIST, {"action": "revoke", ACTION_CHECKBOX_NAME: [feed_key.pk]})

    assert listing.status_code == 200 and feed_key.prefix in listing.content.decode()
    assert change.status_code == 200
    assert 'name="hashed_key"' not in change.content.decode()  # shown, not editable
    assert feed_key.hashed_key[:20] in change.content.decode()
    assert key.split(".")[1] not in change.content.decode()
    assert revoked.status_code == 302
    assert FeedKey.objects.get().revoked
    assert client.get(reverse("admin:feeds_feedkey_add")).status_code == 403


def test_other_roles_do_not_see_the_keys(client, key):
    client.force_login(UserFactory(role=EDITOR))

    assert client.get(CHANGELIST).status_code == 403
