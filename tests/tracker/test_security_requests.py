"""Request hardening: body limits, login lockout, API lockout and throttles, 503 when the
database is gone, and the security log."""

import json
import re
from unittest import mock

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from countries.models import Country, Region
from projects.models import Project, Sector
from projects.spreadsheets import upload
from tests.clients import user_token_client
from tests.factories import UserFactory
from tests.security import PASSWORD, admin_login
from tracker.paths import is_api

pytestmark = pytest.mark.django_db


# Body limits


def test_api_refuses_a_large_body_with_json_413(settings):
    settings.API_MAX_BODY_BYTES = 1000
    client = user_token_client(UserFactory(role=EDITOR))

    response = client.post(
        "/api/developments/", data=json.dumps({"text": "x" * 2000}), content_type="application/json"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "too_large"
    assert set(response.json()) == {"detail", "code"}


def test_import_upload_keeps_its_own_larger_limit(settings):
    settings.API_MAX_BODY_BYTES = 1000
    client = user_token_client(UserFactory(role=EDITOR))

    # Over the general limit but under the import's: it reaches the view (a 400 for the bad file).
    response = client.post("/api/imports/", data=b"x" * 5000, content_type="application/octet-stream")
    assert response.status_code != 413

    response = client.generic(
        "POST",
        "/api/imports/",
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(20 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_import_upload_limit_is_the_setting(settings):
    # The limit the middleware applies is IMPORT_MAX_REQUEST_BYTES: the view never sees more.
    settings.API_MAX_BODY_BYTES = 1000
    settings.IMPORT_MAX_REQUEST_BYTES = 3000
    client = user_token_client(UserFactory(role=EDITOR))

    under = client.post("/api/imports/", data=b"x" * 2999, content_type="application/octet-stream")
    over = client.post("/api/imports/", data=b"x" * 3001, content_type="application/octet-stream")

    assert under.status_code != 413
    assert over.status_code == 413 and over.json()["code"] == "too_large"


def test_the_import_limits_leave_room_for_the_envelope(settings):
    assert upload.MAX_FILE_BYTES == settings.IMPORT_MAX_FILE_BYTES == 10 * 1024 * 1024
    assert settings.IMPORT_MAX_REQUEST_BYTES == settings.IMPORT_MAX_FILE_BYTES + 1024 * 1024


@pytest.mark.parametrize(
    ("path", "api"),
    [("/api/", True), ("/api/projects/1/", True), ("/api", False), ("/apis/", False), ("/admin/api/", False)],
)
def test_is_api_is_the_path_under_the_api_prefix(rf, path, api):
    assert is_api(rf.get(path)) is api


# Failed logins: admin (django-axes) and API


def test_admin_login_is_locked_out_after_repeated_failures(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        admin_login(client, staff.username, "wrong password")

    response = admin_login(client, staff.username, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_page_is_the_admins_layout_in_japanese_and_says_how_long(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        admin_login(client, staff.username, "wrong password")

    response = admin_login(client, staff.username, PASSWORD)

    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    html = response.content.decode()
    assert '<html lang="ja"' in html
    assert 'id="site-name"' in html  # the admin's header, not axes' bare sentence
    assert "ログインの失敗が多すぎます" in html
    assert "3 回間違えたため" in html and "15 分間ロックされています" in html
    assert "axes_reset_username" in html and "changepassword" in html
    assert "Account locked" not in html


def test_lockout_page_follows_the_language_switch(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 1
    settings.AXES_COOLOFF_TIME = 1 / 60  # one minute
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    admin_login(client, staff.username, "wrong password")

    response = admin_login(client, staff.username, PASSWORD)

    assert response.status_code == 429
    assert "is locked for 1 minute." in response.content.decode()


def test_axes_admin_section_is_named_in_japanese(admin_client):
    html = admin_client.get("/admin/").content.decode()

    assert "ログイン試行" in html and "ログイン失敗の記録" in html
    assert ">Axes<" not in html and "Access attempts" not in html


def test_admin_lockout_is_per_user_name_and_address(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        admin_login(client, staff.username, "wrong password")

    other_address = client.post(
        "/admin/login/",
        {"username": staff.username, "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="198.51.100.9",
    )
    assert other_address.status_code == 302


def test_a_successful_login_resets_the_failure_count(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    admin_login(client, staff.username, "wrong password")
    admin_login(client, staff.username, "wrong password")
    assert admin_login(client, staff.username, PASSWORD).status_code == 302
    client.logout()
    admin_login(client, staff.username, "wrong password")

    assert admin_login(client, staff.username, PASSWORD).status_code == 302


def test_api_answers_429_after_repeated_bad_tokens(settings):
    settings.API_AUTH_FAILURE_LIMIT = 3
    client = APIClient(REMOTE_ADDR="192.0.2.8")
    client.credentials(HTTP_AUTHORIZATION="Token abc.def")
    for _ in range(3):
        assert client.get("/api/projects/").status_code == 401

    good = user_token_client(UserFactory(role=VIEWER))
    locked = good.get("/api/projects/", REMOTE_ADDR="192.0.2.8")
    elsewhere = good.get("/api/projects/", REMOTE_ADDR="192.0.2.9")

    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert int(locked["Retry-After"]) > 0
    assert elsewhere.status_code == 200


def test_requests_without_credentials_do_not_count_as_failures(settings):
    settings.API_AUTH_FAILURE_LIMIT = 2
    client = APIClient()
    for _ in range(4):
        assert client.get("/api/projects/").status_code == 401


# Throttling per user


@pytest.fixture
def tiny_rates(monkeypatch):
    # DRF copies the rates into the throttle classes when they are defined.
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "2/minute"})
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "2/minute"})


def test_api_requests_are_rate_limited_per_user(tiny_rates):
    first, second = user_token_client(UserFactory(role=VIEWER)), user_token_client(UserFactory(role=VIEWER))
    statuses = [first.get("/api/projects/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert second.get("/api/projects/").status_code == 200
    throttled = first.get("/api/projects/")
    assert throttled.json()["code"] == "throttled"
    assert "Retry-After" in throttled


def test_rates_come_from_the_settings(settings):
    from tracker import settings as tracker_settings

    rates = tracker_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(rates) == {"user", "anon"}
    assert all(re.match(r"^\d+/(second|minute|hour|day)$", rate) for rate in rates.values())


# The database goes away


@pytest.mark.parametrize("path", ["/api/projects/", "/api/sectors/"])
def test_api_answers_503_json_while_the_database_is_down(path):
    client = user_token_client(UserFactory(role=VIEWER))
    with mock.patch(
        "django.db.models.query.QuerySet._fetch_all",
        side_effect=OperationalError("server closed the connection"),
    ):
        response = client.get(path)

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": mock.ANY, "code": "service_unavailable"}
    assert int(response["Retry-After"]) > 0
    assert b"Traceback" not in response.content and b"server closed" not in response.content


def test_admin_answers_503_while_the_database_is_down(admin_client):
    with mock.patch(
        "django.db.models.query.QuerySet._fetch_all", side_effect=OperationalError("connection refused")
    ):
        response = admin_client.get("/admin/projects/project/")

    assert response.status_code == 503
    assert "Retry-After" in response


# Bodies that name no character


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/sectors/", '{"code": "\\ud800", "name_ja": "x", "name_en": "x", "dac_code": 21030}'),
        ("/api/countries/", '{"iso_code": "VN", "name_ja": "\\udfff", "name_en": "x", "region": "asia"}'),
        ("/api/regions/", '{"code": "asia", "name_ja": "x", "name_en": "x", "\\ud83d": 1}'),
        ("/api/projects/", '{"name_ja": ["\\ud83dx"]}'),
    ],
)
def test_a_json_string_with_a_lone_surrogate_is_a_400_and_stores_nothing(path, body):
    """Found by the fuzz (tests/projects/api/test_properties.py): `"\\ud800"` parsed into a string no
    encoder takes, and the 400 echoing it, or the INSERT storing it, failed with a 500."""
    client = user_token_client(UserFactory(role=ADMINISTRATOR, is_superuser=True))
    before = {model: model.objects.count() for model in (Sector, Country, Region, Project)}

    response = client.generic("POST", path, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "surrogate" in response.json()["detail"]
    assert {model: model.objects.count() for model in before} == before


def test_a_json_surrogate_pair_is_a_character():
    client = user_token_client(UserFactory(role=ADMINISTRATOR, is_superuser=True))

    response = client.generic(
        "POST",
        "/api/sectors/",
        '{"code": "emoji", "name_ja": "\\ud83d\\ude83", "name_en": "Rail", "dac_code": 21030}',
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    assert Sector.objects.get(code="emoji").name_ja == "\U0001f683"
