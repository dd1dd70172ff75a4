"""The latest development is ordered by its last date (projects.querysets.LATEST_DEVELOPMENT_ORDER:
COALESCE(date_end, date) DESC NULLS LAST, sequence DESC), so the PostgreSQL index of migration
0003 on (project_id, date DESC NULLS LAST, sequence DESC) is replaced by one on that expression:
each project's LIMIT 1 stays an index scan. PostgreSQL only, like the index it replaces (SQLite
cannot index NULLS LAST)."""

from django.db import migrations

LATEST_INDEX = (
    "CREATE INDEX projects_development_latest "
    "ON projects_development (project_id, (COALESCE(date_end, date)) DESC NULLS LAST, sequence DESC)"
)
# Migration 0003's index, for going back.
PREVIOUS_INDEX = (
    "CREATE INDEX projects_development_latest "
    "ON projects_development (project_id, date DESC NULLS LAST, sequence DESC)"
)


def _replace_index(definition):
    def replace(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("DROP INDEX IF EXISTS projects_development_latest")
            schema_editor.execute(definition)

    return replace


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_statuschange_effective_precision"),
    ]

    operations = [
        migrations.RunPython(_replace_index(LATEST_INDEX), _replace_index(PREVIOUS_INDEX), elidable=False),
    ]
