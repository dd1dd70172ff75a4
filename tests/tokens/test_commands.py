"""The token commands: issue_token, revoke_token."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.roles import VIEWER
from tests.clients import token_client
from tests.factories import UserFactory
from tokens.models import APIToken

pytestmark = pytest.mark.django_db


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
