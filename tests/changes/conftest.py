"""The change log's tests use the project admin's fixtures: an editor and a small world."""

from tests.projects.admin.conftest import editor, editor_client, world  # noqa: F401
