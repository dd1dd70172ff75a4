"""A user's digest preference: their own row, in the admin (the digest's link) and the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import EDITOR, VIEWER
from digests.models import Preference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client):
    user = UserFactory(role=VIEWER)
    client.force_login(user)
    return user


def test_the_admin_list_opens_ones_own_preference_with_the_defaults(client, viewer):
    response = client.get(reverse("admin:digests_preference_changelist"))

    preference = Preference.objects.get()
    assert (preference.user, preference.language, preference.enabled) == (viewer, "ja", True)
    assert response.status_code == 302
    assert response.url == reverse("admin:digests_preference_change", args=[viewer.pk])


def test_a_user_changes_their_language_and_turns_digests_off(client, viewer):
    url = reverse("admin:digests_preference_change", args=[viewer.pk])
    client.get(reverse("admin:digests_preference_changelist"))

    response = client.post(url, {"language": "en"})  # the unticked box: off

    assert response.status_code == 302 and response.url == url
    preference = Preference.objects.get(user=viewer)
    assert (preference.language, preference.enabled) == ("en", False)


def test_no_one_sees_or_edits_another_users_preference(client, viewer):
    other = Preference.objects.create(user=UserFactory(role=EDITOR), language="en")
    url = reverse("admin:digests_preference_change", args=[other.pk])

    assert client.get(url).status_code == 302  # the admin's "does not exist" redirect
    client.post(url, {"language": "ja", "enabled": "on"})

    other.refresh_from_db()
    assert other.language == "en"


def test_the_api_reads_and_writes_ones_own_row():
    user = UserFactory(role=VIEWER)
    api = APIClient()
    api.force_authenticate(user)

    assert api.get("/api/digest-preference/").json() == {"language": "ja", "enabled": True}
    response = api.patch("/api/digest-preference/", {"language": "en"}, format="json")

    assert response.status_code == 200 and response.json()["language"] == "en"
    assert Preference.objects.get(user=user).language == "en"


def test_the_api_refuses_an_unknown_language_by_field_and_strangers():
    api = APIClient()
    assert api.get("/api/digest-preference/").status_code == 401
    api.force_authenticate(UserFactory(role=VIEWER))

    response = api.patch("/api/digest-preference/", {"language": "fr"}, format="json")

    assert response.status_code == 400
    assert "language" in response.content.decode()
