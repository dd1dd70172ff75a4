"""A covering index for the default order: (number) INCLUDE (id), PostgreSQL only.

The list picks a page's ids first (projects.api.list_rows.PagedByIds): SELECT id ... ORDER BY number
LIMIT 50 OFFSET n. The unique index on number holds no id, so each skipped row was a heap
visit: the last page of 100,093 projects took 139 ms (Index Scan using
projects_project_number_key, 100,093 rows). With the id in the index it is an Index Only Scan
with 0 heap fetches after VACUUM: 12 ms (EXPLAIN ANALYZE, PostgreSQL 15, generate_projects
--count 100000 --seed 1).

SQLite has no INCLUDE (Django would warn, models.W040), and does not need it: its rowid is
in every index. So the index is created here, for PostgreSQL, not in Meta.indexes.
"""

from django.db import migrations

INDEX = "CREATE INDEX IF NOT EXISTS projects_project_number_id ON projects_project (number) INCLUDE (id)"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS projects_project_number_id")


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_indexes_and_bigram_search")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
