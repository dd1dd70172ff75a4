"""A user's permissions in one query, for the session login and API tokens alike, and the
cache Django's permission checks read them from."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Func, JSONField


class UserPermissionNames(Func):
    """A user's permissions, their own and their groups', as a JSON array of
    "app_label.codename"; the argument is the user's id (a column, e.g. F("user_id")).

    The SQL is written out rather than composed from querysets: compiling the equivalent nested
    subqueries cost more than running them, on every request with a token (README, "What makes
    it fast").
    """

    arity = 1
    output_field = JSONField()

    def as_sql(self, compiler, connection, aggregate=None, **extra_context):
        user_sql, user_params = compiler.compile(self.source_expressions[0])
        qn = connection.ops.quote_name
        user_model = get_user_model()
        own = user_model.user_permissions.through._meta
        member = user_model.groups.through._meta
        granted = Group.permissions.through._meta
        sql = (
            f"(SELECT {aggregate} FROM {qn(Permission._meta.db_table)} p"
            f" JOIN {qn(ContentType._meta.db_table)} ct ON ct.id = p.content_type_id"
            f" WHERE p.id IN (SELECT o.{qn(own.get_field('permission').column)} FROM {qn(own.db_table)} o"
            f" WHERE o.{qn(own.get_field(user_model._meta.model_name).column)} = {user_sql})"
            f" OR p.id IN (SELECT g.{qn(granted.get_field('permission').column)} FROM {qn(granted.db_table)} g"
            f" JOIN {qn(member.db_table)} m ON m.{qn(member.get_field('group').column)}"
            f" = g.{qn(granted.get_field('group').column)}"
            f" WHERE m.{qn(member.get_field(user_model._meta.model_name).column)} = {user_sql}))"
        )
        return sql, (*user_params, *user_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        aggregate = "coalesce(jsonb_agg(ct.app_label || '.' || p.codename), '[]'::jsonb)"
        return self.as_sql(compiler, connection, aggregate=aggregate, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        aggregate = "json_group_array(ct.app_label || '.' || p.codename)"
        return self.as_sql(compiler, connection, aggregate=aggregate, **extra_context)


# Django's ModelBackend keeps a user's permissions in the private attribute `_perm_cache`, read
# by every has_perm() of the request. These two functions are the only code that touches it:
# PermissionBackend fills it from its one query, and an API token from the query that found the
# token (tokens.models), so a request reads the permissions once. If Django renames the
# attribute, this is the one place to change (tests/projects/api/test_query_counts.py counts
# the token's single query).
_CACHE = "_perm_cache"


def remember_permissions(user, names) -> set[str]:
    """Set the user's permissions ("app_label.codename") for the rest of the request."""
    permissions = set(names)
    setattr(user, _CACHE, permissions)
    return permissions


def cached_permissions(user) -> set[str] | None:
    """The permissions remembered for this user object, or None if there are none yet."""
    return getattr(user, _CACHE, None)
