"""The list's fast path (dict rows from one query, projects.api.list_rows.list_page_rows) gives exactly
what plain nested DRF serializers give (bench/peer.py), on the real 93 projects; and so does
every project's detail."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from accounts.roles import VIEWER
from bench.peer import PeerProjectDetail, PeerProjectList
from projects.models import Project
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


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_project_detail_equals_plain_nested_serializers(plan_data, language):
    """The detail is ProjectDetailSerializer's declared fields on project_queryset(detail=True);
    the oracle is the plain peer, which reads each relation with queries of its own."""
    user = UserFactory(role=VIEWER)
    client = APIClient()
    client.force_authenticate(user)
    pks = list(Project.objects.order_by("number").values_list("pk", flat=True))
    assert len(pks) == 93
    for pk in pks:
        path = f"/api/projects/{pk}/"
        ours = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        request = APIRequestFactory().get(path, HTTP_ACCEPT_LANGUAGE=language)
        force_authenticate(request, user=user)
        with translation.override(language):
            peer = PeerProjectDetail.as_view()(request, pk=pk)
            peer.render()
        assert ours.status_code == peer.status_code == 200
        assert ours.json() == peer.data, pk
