"""The list's fast path (dict rows from one query, projects.api.list_rows.list_page_rows) gives exactly
what plain nested DRF serializers give (bench/peer.py), on the real 93 projects."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from accounts.roles import VIEWER
from bench.peer import PeerProjectList
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize(
    "query",
    ["limit=100", "limit=7&offset=40", "ordering=-latest_development&limit=100", "sector=rail&won=true"],
)
def test_the_list_page_equals_plain_nested_serializers(plan_data, language, query):
    user = UserFactory(role=VIEWER)
    client = APIClient()
    client.force_authenticate(user)
    path = f"/api/projects/?{query}"

    ours = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    request = APIRequestFactory().get(path, HTTP_ACCEPT_LANGUAGE=language)
    force_authenticate(request, user=user)
    with translation.override(language):
        peer = PeerProjectList.as_view()(request)
        peer.render()

    assert ours.status_code == peer.status_code == 200
    assert ours.json()["count"] == peer.data["count"] > 0
    assert ours.json()["results"] == peer.data["results"] != []
    labels = {row["status"]["label"] for row in ours.json()["results"]}
    assert all(label.isascii() for label in labels) == (language == "en"), labels
