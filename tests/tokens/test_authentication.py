"""API tokens: authentication, expiry, revocation, read-only tokens and the permissions they carry."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from projects.api.etags import project_etag
from tests.clients import token_client
from tests.factories import UserFactory
from tokens.models import APIToken

pytestmark = pytest.mark.django_db


def test_token_authenticates_as_its_user(project):
    _token, key = APIToken.objects.issue(user=UserFactory(role=VIEWER), name="script")

    response = token_client(key).get("/api/projects/")

    assert response.status_code == 200
    assert response.data["count"] == 1


def test_token_is_stored_only_as_a_hash():
    token, key = APIToken.objects.issue(user=UserFactory(), name="script")

    token.refresh_from_db()
    stored = [str(getattr(token, f.attname)) for f in APIToken._meta.concrete_fields]
    assert not any(key in value for value in stored)
    assert token.hashed_key.startswith("sha512$$")
    assert key.startswith(token.prefix + ".")


def test_tokens_expire_by_default():
    token, _key = APIToken.objects.issue(user=UserFactory(), name="script")

    assert timezone.now() + timedelta(days=89) < token.expiry_date < timezone.now() + timedelta(days=91)


def test_expired_token_is_401(project):
    token, key = APIToken.objects.issue(user=UserFactory(role=VIEWER), name="old")
    APIToken.objects.filter(pk=token.pk).update(expiry_date=timezone.now() - timedelta(seconds=1))

    response = token_client(key).get("/api/projects/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Token realm="api"'


def test_revoked_token_is_401(project):
    token, key = APIToken.objects.issue(user=UserFactory(role=VIEWER), name="leaked")
    token.revoked = True
    token.save()

    assert token_client(key).get("/api/projects/").status_code == 401


@pytest.mark.parametrize("header", ["Token nonsense", "Token abc.def", "Token", "Token a b"])
def test_bad_token_is_401(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/projects/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_token_of_inactive_user_is_401():
    user = UserFactory(role=VIEWER)
    _token, key = APIToken.objects.issue(user=user, name="script")
    user.is_active = False
    user.save()

    assert token_client(key).get("/api/projects/").status_code == 401


def test_token_has_its_users_role_only(project):
    _token, key = APIToken.objects.issue(user=UserFactory(role=VIEWER), name="script")

    response = token_client(key).post(
        f"/api/projects/{project.pk}/developments/", {"kind": "other", "text": "x"}
    )

    assert response.status_code == 403


def test_read_only_token_refuses_writes_whatever_the_role(project):
    _token, key = APIToken.objects.issue(user=UserFactory(role=ADMINISTRATOR), name="ro", read_only=True)
    client = token_client(key)

    assert client.get(f"/api/projects/{project.pk}/").status_code == 200
    patch = client.patch(
        f"/api/projects/{project.pk}/", {"name_en": "x"}, HTTP_IF_MATCH=project_etag(project)
    )
    post = client.post(
        f"/api/projects/{project.pk}/developments/", {"kind": "other", "text": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert patch.status_code == 403
    assert post.status_code == 403
    assert "read-only" in post.json()["detail"]
    project.refresh_from_db()
    assert project.name_en != "x"


def test_read_only_token_refuses_applying_an_import():
    # Applying has a permission check of its own (projects.api.imports.ImportPermissions).
    _token, key = APIToken.objects.issue(user=UserFactory(role=ADMINISTRATOR), name="ro", read_only=True)
    client = token_client(key)

    applied = client.post("/api/imports/1/apply/", HTTP_ACCEPT_LANGUAGE="en")

    assert applied.status_code == 403
    assert "read-only" in applied.json()["detail"]
    assert client.get("/api/imports/").status_code == 200


def test_read_write_token_of_an_editor_writes(project):
    _token, key = APIToken.objects.issue(user=UserFactory(role=EDITOR), name="rw")

    response = token_client(key).post(
        f"/api/projects/{project.pk}/developments/", {"kind": "other", "text": "スクリプトから"}
    )

    assert response.status_code == 201
    assert project.developments.get().recorded_by.api_tokens.exists()


def test_token_permissions_come_from_the_user_and_their_groups_in_its_own_query(project):
    """The token's query carries the permissions (accounts.permissions): direct ones count, a group
    taken away counts at the next request, and a user with neither is refused."""
    from django.contrib.auth.models import Permission

    user = UserFactory()  # no role
    _token, key = APIToken.objects.issue(user=user, name="script")
    client = token_client(key)
    assert client.get("/api/projects/").status_code == 403

    user.user_permissions.add(Permission.objects.get(codename="view_project"))
    assert client.get("/api/projects/").status_code == 200

    user.user_permissions.clear()
    user.groups.add(Group.objects.get(name=VIEWER))
    assert client.get("/api/projects/").status_code == 200

    user.groups.clear()
    assert client.get("/api/projects/").status_code == 403
