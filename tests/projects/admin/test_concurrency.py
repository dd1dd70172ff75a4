"""Several officers save the same project page at once: exactly one save wins.

The admin takes the project's row lock when its save checks the version, so real
concurrency needs real row locks: this runs on PostgreSQL only (tests/conftest.py deselects
it elsewhere), each save in its own thread and database connection, released together.
"""

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.roles import EDITOR
from projects.models import Project
from tests.admin_helpers import form_data, set_field
from tests.factories import ProjectFactory, UserFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

OFFICERS = 8


def test_concurrent_saves_of_one_version_exactly_one_wins():
    project = ProjectFactory(name="原案")
    url = reverse("admin:projects_project_change", args=[project.pk])
    clients, forms = [], []
    for i in range(OFFICERS):
        client = Client()
        client.force_login(UserFactory(username=f"officer{i}", role=EDITOR))
        data = form_data(client.get(url), "project_form")
        set_field(data, "name", f"修正{i}")
        set_field(data, "developments-0-kind", "other")
        set_field(data, "developments-0-text", f"動き{i}")
        clients.append(client)
        forms.append(data)
    audit_rows = project.history.count()
    barrier = threading.Barrier(OFFICERS)
    results = [None] * OFFICERS

    def save(i):
        try:
            barrier.wait(timeout=30)
            response = clients[i].post(url, forms[i])
            stale = response.status_code == 200 and bool(
                response.context["adminform"].form.non_field_errors()
            )
            results[i] = (response.status_code, stale)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(OFFICERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(result is not None for result in results), results
    winners = [i for i, (status, _stale) in enumerate(results) if status == 302]
    assert len(winners) == 1, results
    assert all(stale for i, (_status, stale) in enumerate(results) if i not in winners), results
    project = Project.objects.get(pk=project.pk)
    assert project.name == f"修正{winners[0]}"
    assert list(project.developments.values_list("text", flat=True)) == [f"動き{winners[0]}"]
    assert project.version == 3  # the project update and the development
    assert project.history.count() == audit_rows + 1
