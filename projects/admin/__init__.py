"""The projects app's admin (admin.autodiscover imports this package): projects with their
developments and status history, reference data, and spreadsheet imports."""

from projects.admin import developments, imports, projects, reference, status_changes  # noqa: F401 -- each registers its ModelAdmins
