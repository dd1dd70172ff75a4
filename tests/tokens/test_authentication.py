import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from projects.api.etags import project_etag
from tests.factories import ProjectFactory, UserFactory
from tokens.models import APIToken

pytestmark = pytest.mark.django_db


def token_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def project():
    return ProjectFactory()


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


# Management commands


def test_issue_token_command_prints_a_working_key(project):
    UserFactory(username="analyst", role=VIEWER)
    out = io.StringIO()

    call_command(
        "issue_token",
        "analyst",
        "--name",
        "weekly",
        "--days",
        "7",
        "--read-only",
        stdout=out,
        stderr=io.StringIO(),
    )

    key = out.getvalue().strip()
    token = APIToken.objects.get()
    assert token.read_only
    assert token.user.username == "analyst"
    assert token.expiry_date < timezone.now() + timedelta(days=8)
    assert token_client(key).get("/api/projects/").status_code == 200


def test_issue_token_for_unknown_user_fails():
    with pytest.raises(CommandError, match="No user"):
        call_command("issue_token", "nobody", "--name", "x")


@pytest.mark.parametrize("args", [["--name", "x" * 51], ["--name", " "], ["--name", "x", "--days", "0"]])
def test_issue_token_refuses_bad_arguments(args):
    UserFactory(username="analyst")

    with pytest.raises(CommandError):
        call_command("issue_token", "analyst", *args)
    assert not APIToken.objects.exists()


def test_revoke_token_command_by_prefix():
    token, key = APIToken.objects.issue(user=UserFactory(role=VIEWER), name="x")

    call_command("revoke_token", token.prefix, stdout=io.StringIO())

    token.refresh_from_db()
    assert token.revoked
    assert token_client(key).get("/api/projects/").status_code == 401


def test_revoke_token_command_by_user():
    user = UserFactory(username="leaver")
    APIToken.objects.issue(user=user, name="a")
    APIToken.objects.issue(user=user, name="b")
    other, _key = APIToken.objects.issue(user=UserFactory(), name="c")

    call_command("revoke_token", "--user", "leaver", stdout=io.StringIO())

    assert set(APIToken.objects.filter(revoked=True).values_list("name", flat=True)) == {"a", "b"}
    other.refresh_from_db()
    assert not other.revoked


def test_revoke_unknown_token_fails():
    with pytest.raises(CommandError):
        call_command("revoke_token", "nope")


# Admin


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
