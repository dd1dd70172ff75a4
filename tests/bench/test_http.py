"""`bench --http`'s plan without wrk or gunicorn: the endpoints it loads in each phase, and the
workers it reports."""

import os
import urllib.parse

import pytest

from bench import http
from projects.api.etags import project_etag
from projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

ROOT = "http://127.0.0.1:1/api/projects/"
AUTH = {"Authorization": "Token k"}


def test_the_uncached_phase_loads_the_list_and_the_two_character_search():
    found = http.cases(ROOT, AUTH, cached=False)

    assert found == {
        "list_uncached": (ROOT, AUTH),
        "search_2_uncached": (f"{ROOT}?q={urllib.parse.quote('鉄道')}", AUTH),
    }


@pytest.mark.parametrize(("etag", "with_list_304"), [('"d1-abc"', True), (None, False)])
def test_the_cached_phase_adds_the_304s_and_the_detail(monkeypatch, etag, with_list_304):
    ProjectFactory()
    monkeypatch.setattr(http, "etag_of", lambda url, headers: etag)
    project = Project.objects.order_by("number").first()

    found = http.cases(ROOT, AUTH, cached=True)

    expected = ["list", "search_2", *(["list_304"] if with_list_304 else []), "detail", "detail_304"]
    assert list(found) == expected
    assert found["detail"] == (f"{ROOT}{project.pk}/", AUTH)
    assert found["detail_304"][1]["If-None-Match"] == project_etag(project)
    if with_list_304:
        assert found["list_304"] == (ROOT, {**AUTH, "If-None-Match": etag})


def test_the_workers_are_gunicorn_conf_s(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)

    assert http.gunicorn_workers({"WEB_CONCURRENCY": "3"}) == 3
    assert "WEB_CONCURRENCY" not in os.environ  # the environment is left as it was
