"""The commands behind the quick start: load_plan and ensure_admin."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from projects.models import Project
from projects.roles import ADMINISTRATOR

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_plan_if_empty_loads_once_and_keeps_later_edits():
    assert "93 projects" in _run("load_plan", "--if-empty")
    Project.objects.filter(number=1).update(name_en="Edited by an officer")

    assert "nothing loaded" in _run("load_plan", "--if-empty")
    assert Project.objects.count() == 93
    assert Project.objects.get(number=1).name_en == "Edited by an officer"


def test_ensure_admin_creates_one_administrator_with_a_random_password_once():
    first = _run("ensure_admin")
    password = first.split("Password (shown only this once): ")[1].strip()
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff
    assert user.groups.filter(name=ADMINISTRATOR).exists()
    assert user.check_password(password) and len(password) >= 16

    second = _run("ensure_admin")
    assert "Password" not in second and "exists: admin" in second
    user.refresh_from_db()
    assert user.check_password(password)
    assert get_user_model().objects.count() == 1


def test_ensure_admin_passwords_differ_between_databases():
    first = _run("ensure_admin").split(": ")[-1].strip()
    get_user_model().objects.all().delete()
    second = _run("ensure_admin").split(": ")[-1].strip()
    assert first != second
