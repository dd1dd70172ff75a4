"""accounts.apps: the roles are synced at the end of every migrate, after every permission exists."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal

from accounts.roles import ADMINISTRATOR

pytestmark = pytest.mark.django_db

TOKEN_PERMISSIONS = {
    "tokens.add_apitoken",
    "tokens.change_apitoken",
    "tokens.delete_apitoken",
    "tokens.view_apitoken",
}


def test_a_fresh_migrate_gives_the_administrator_every_permission_tokens_too():
    # What the post_migrate of a first `migrate` finds: the tables, but no permission and no role.
    Group.objects.all().delete()
    Permission.objects.all().delete()

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default", apps=apps)

    administrator = Group.objects.get(name=ADMINISTRATOR)
    names = {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in administrator.permissions.select_related("content_type")
    }
    assert TOKEN_PERMISSIONS <= names
    assert len(names) == Permission.objects.count()
