"""The change log's tests use the project admin's fixtures: an editor and a small world."""

from tests.projects.admin.conftest import world  # noqa: F401 (editor and editor_client: tests/conftest.py)
