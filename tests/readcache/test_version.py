"""The data version: bumped once per transaction, rolled back with it, and bumped by a save, a
delete or a many-to-many change of every model of the apps the cached reads show."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.roles import EDITOR
from readcache import signals, version
from tests.factories import DevelopmentFactory, ProjectFactory, SectorFactory, UserFactory

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def test_a_transaction_bumps_once_and_a_rollback_undoes_it():
    before = version.current()
    with transaction.atomic():
        version.bump()
        version.bump()
        with transaction.atomic():
            version.bump()
        assert version.current() == before + 1
    assert version.current() == before + 1

    with pytest.raises(Rollback), transaction.atomic():
        version.bump()
        assert version.current() == before + 2
        raise Rollback

    assert version.current() == before + 1


def test_a_bump_rolled_back_with_its_savepoint_is_made_again():
    before = version.current()
    with transaction.atomic():
        with pytest.raises(Rollback), transaction.atomic():
            version.bump()
            raise Rollback
        assert version.current() == before
        version.bump()
    assert version.current() == before + 1


def test_successive_transactions_each_bump():
    before = version.current()
    for _ in range(3):
        with transaction.atomic():
            version.bump()
    version.bump()  # no transaction of its own: autocommit, as the test sees it

    assert version.current() == before + 4


def test_current_is_one_small_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        version.current()


def test_the_row_comes_back_if_it_went_missing():
    from readcache.models import DataVersion

    DataVersion.objects.all().delete()
    assert version.current() == 0
    version.bump()
    assert version.current() == 1


def test_every_concrete_model_of_the_watched_apps_bumps():
    watched = set(signals.watched_models())
    for label in signals.WATCHED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if not model._meta.proxy:
                assert model in watched, model
    for model in watched:
        for signal, kind in ((signals.post_save, "save"), (signals.post_delete, "delete")):
            uid = f"{signals.UID}.{kind}.{model._meta.label}"
            assert any(key[0] == uid for key, *_ in signal.receivers), (model, kind)
        uid = f"{signals.UID}.m2m.{model._meta.label}"
        assert any(key[0] == uid for key, *_ in signals.m2m_changed.receivers), model


def test_save_delete_m2m_and_role_changes_bump():
    project, sector = ProjectFactory(), SectorFactory()
    user = UserFactory()
    steps = [
        lambda: project.save(),
        lambda: project.sectors.add(sector),
        lambda: project.sectors.remove(sector),
        lambda: user.groups.add(Group.objects.get(name=EDITOR)),
        lambda: DevelopmentFactory(project=project).delete(),
    ]
    for step in steps:
        before = version.current()
        with transaction.atomic():
            step()
        assert version.current() == before + 1, step
