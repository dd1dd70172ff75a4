"""The user commands: create_user, ensure_admin."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from tests.commands import run_command
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "group"), [("viewer", VIEWER), ("editor", EDITOR), ("administrator", ADMINISTRATOR)]
)
def test_create_user_with_a_generated_password(role, group):
    out = io.StringIO()

    call_command("create_user", "yamada", role=role, stdout=out)

    user = get_user_model().objects.get(username="yamada")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [group]
    password = out.getvalue().split("Password (shown once): ")[1].strip()
    assert user.check_password(password)


def test_create_user_reads_the_password_from_stdin(client):
    call_command(
        "create_user",
        "kato",
        role="editor",
        password_stdin=True,
        stdin=io.StringIO("long enough passphrase 42\n"),
        stdout=io.StringIO(),
    )

    assert client.login(username="kato", password="long enough passphrase 42")
    assert client.get(reverse("admin:projects_project_changelist")).status_code == 200


def test_create_user_refuses_a_weak_password_and_an_existing_name():
    with pytest.raises(CommandError):
        call_command("create_user", "kato", role="editor", password_stdin=True, stdin=io.StringIO("123\n"))
    UserFactory(username="kato")
    with pytest.raises(CommandError):
        call_command("create_user", "kato", role="editor", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="kato", is_staff=True, groups__isnull=False).exists()


def test_ensure_admin_creates_one_administrator_with_a_random_password_once():
    first = run_command("ensure_admin")
    password = first.split("Password (shown only this once): ")[1].strip()
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff
    assert user.groups.filter(name=ADMINISTRATOR).exists()
    assert user.check_password(password) and len(password) >= 16

    second = run_command("ensure_admin")
    assert "Password" not in second and "exists: admin" in second
    user.refresh_from_db()
    assert user.check_password(password)
    assert get_user_model().objects.count() == 1


def test_ensure_admin_passwords_differ_between_databases():
    first = run_command("ensure_admin").split(": ")[-1].strip()
    get_user_model().objects.all().delete()
    second = run_command("ensure_admin").split(": ")[-1].strip()
    assert first != second
