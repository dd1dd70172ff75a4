"""Every write readers can see bumps the data version (readcache.version) in its transaction.

The receivers are connected for every model of the apps whose rows the cached reads show
(WATCHED_APPS): a save, a delete and a many-to-many change each bump. Writes that send no
signal (QuerySet.update, bulk_create, bulk_update, raw SQL) call version.bump() themselves.
A user's groups are their role: the answers that depend on it key on it too (responses.py),
and a change of groups bumps as well, so no reader keeps an answer for a role it lost.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save

from readcache import version

# The apps whose rows the project list, the status table and the summary read.
WATCHED_APPS = ("projects", "countries", "plans", "savedfilters")
M2M_ACTIONS = {"post_add", "post_remove", "post_clear"}
UID = "readcache.bump"


def _saved_or_deleted(sender, **kwargs) -> None:
    version.bump()


def _m2m_changed(sender, action, **kwargs) -> None:
    if action in M2M_ACTIONS:
        version.bump()


def watched_models() -> list:
    """Every concrete model of the watched apps (their history and through tables included)."""
    return [
        model
        for label in WATCHED_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if not model._meta.abstract and not model._meta.proxy
    ]


def connect() -> None:
    for model in watched_models():
        post_save.connect(_saved_or_deleted, sender=model, dispatch_uid=f"{UID}.save.{model._meta.label}")
        post_delete.connect(_saved_or_deleted, sender=model, dispatch_uid=f"{UID}.delete.{model._meta.label}")
        # The sender of m2m_changed is the through model, automatic or declared.
        m2m_changed.connect(_m2m_changed, sender=model, dispatch_uid=f"{UID}.m2m.{model._meta.label}")
    groups = get_user_model().groups.through
    m2m_changed.connect(_m2m_changed, sender=groups, dispatch_uid=f"{UID}.m2m.groups")
