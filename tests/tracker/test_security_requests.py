"""Request hardening: body limits, login lockout, API lockout and throttles, 503 when the
database is gone, and the security log."""

import json
import logging
import re
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from countries.models import Country, Region
from projects.api.etags import project_etag
from projects.models import Project, Sector
from projects.spreadsheets import reading
from tests.clients import user_token_client
from tests.factories import ProjectFactory, UserFactory
from tokens.models import APIToken
from tracker.paths import is_api

pytestmark = pytest.mark.django_db

PASSWORD = "long enough passphrase 42"
LINE = re.compile(r"event=(?P<event>\S+) user=(?P<user>\S+) ip=(?P<ip>\S+) request_id=(?P<request_id>\S+)")


def events(caplog) -> list[dict]:
    found = []
    for record in caplog.records:
        if record.name == "security":
            match = LINE.match(record.getMessage())
            assert match, record.getMessage()
            found.append({**match.groupdict(), "message": record.getMessage()})
    return found


@pytest.fixture
def staff():
    user = UserFactory(role=ADMINISTRATOR, is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def admin_login(client, username, password):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR="192.0.2.7",
    )


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
    assert reading.MAX_FILE_BYTES == settings.IMPORT_MAX_FILE_BYTES == 10 * 1024 * 1024
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


# The security log


def test_logins_and_failures_are_logged_without_the_password(client, staff, caplog):
    caplog.set_level(logging.INFO, logger="security")
    admin_login(client, staff.username, "wrong password")
    admin_login(client, staff.username, PASSWORD)

    found = events(caplog)
    assert [e["event"] for e in found] == ["login_failed", "login"]
    assert all(e["user"] == staff.username and e["ip"] == "192.0.2.7" for e in found)
    assert all(re.fullmatch(r"[0-9a-f]{32}", e["request_id"]) for e in found)
    assert "wrong" not in caplog.text and PASSWORD not in caplog.text


def test_log_timestamps_are_utc():
    from tracker.log import UTCFormatter

    record = logging.LogRecord("security", logging.INFO, __file__, 1, "x", None, None)
    record.created, record.msecs = 0.0, 0.0

    assert UTCFormatter("%(asctime)s").format(record) == "1970-01-01T00:00:00.000Z"


def test_console_prints_each_request_line_once_in_utc(tmp_path):
    """With DEBUG (the quick start), Django's own console handler and runserver's handler used
    to print request warnings a second time, runserver's with a local-time stamp."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').warning('Not Found: /missing/'); "
        "logging.getLogger('django.server').warning("
        "'\"GET /missing/ HTTP/1.1\" 404 179', extra={'status_code': 404, 'server_time': 'x'})"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    assert re.fullmatch(stamp + r" WARNING django\.request \[-\] Not Found: /missing/", lines[0])
    assert re.fullmatch(stamp + r' WARNING django\.server \[-\] "GET /missing/ HTTP/1\.1" 404 179', lines[1])


def test_403_412_and_428_are_logged_with_the_user(caplog):
    caplog.set_level(logging.INFO, logger="security")
    project = ProjectFactory()
    viewer = UserFactory(role=VIEWER)
    editor = user_token_client(UserFactory(role=EDITOR, username="sato"))

    user_token_client(viewer).patch(f"/api/projects/{project.pk}/", {"note": "x"})
    editor.patch(f"/api/projects/{project.pk}/", {"note": "x"})
    editor.patch(f"/api/projects/{project.pk}/", {"note": "x"}, HTTP_IF_MATCH=f'"p{project.pk}-v999"')

    found = [e for e in events(caplog) if e["event"] != "token_issued"]
    assert [(e["event"], e["user"]) for e in found] == [
        ("forbidden", viewer.username),
        ("precondition_required", "sato"),
        ("precondition_failed", "sato"),
    ]
    assert project_etag(project)  # the ETag format the 412 test relies on


def test_bad_api_credentials_are_logged_without_the_key(caplog, settings):
    caplog.set_level(logging.INFO, logger="security")
    client = APIClient(REMOTE_ADDR="192.0.2.10")
    client.credentials(HTTP_AUTHORIZATION="Token secretprefix.secretbody")

    client.get("/api/projects/")

    [event] = events(caplog)
    assert event["event"] == "api_auth_failed" and event["ip"] == "192.0.2.10"
    assert "secretbody" not in caplog.text


def test_token_issue_and_revoke_are_logged(caplog, admin_client):
    caplog.set_level(logging.INFO, logger="security")
    owner = UserFactory(username="suzuki")
    token, _key = APIToken.objects.issue(user=owner, name="one")
    other, _key = APIToken.objects.issue(user=owner, name="two")

    call_command("revoke_token", token.prefix, stdout=open("/dev/null", "w"))
    other.revoked = True
    other.save()

    found = [(e["event"], f"token={token.prefix}" in e["message"]) for e in events(caplog)]
    assert found == [
        ("token_issued", True),
        ("token_issued", False),
        ("token_revoked", True),
        ("token_revoked", False),
    ]
    assert "owner=suzuki" in caplog.text
    assert _key not in caplog.text


def test_logged_user_names_cannot_forge_log_lines(client, caplog):
    caplog.set_level(logging.INFO, logger="security")
    admin_login(client, "evil\nevent=login user=admin", "x")

    assert len([r for r in caplog.records if r.name == "security"]) == 1
    assert "\n" not in caplog.records[-1].getMessage()


def test_imports_are_logged(caplog):
    from projects.spreadsheets.apply import import_batch_create
    from projects.spreadsheets.reading import ImportRefused

    caplog.set_level(logging.INFO, logger="security")
    user = UserFactory(username="ito")
    with pytest.raises(ImportRefused):
        import_batch_create(source=b"not a workbook", filename="plan.xlsx", user=user)

    [event] = events(caplog)
    assert event["event"] == "import_refused" and event["user"] == "ito"


def test_client_address_behind_the_proxy_is_the_one_it_added(settings, rf):
    from tracker.log import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.44")
    assert client_ip(request) == "10.0.0.1"  # not behind a proxy: the header is the client's own
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_ip(request) == "192.0.2.44"
    assert client_ip(rf.get("/", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="not an address")) is None


def test_issue_token_command_is_logged_without_the_key(caplog):
    import io

    caplog.set_level(logging.INFO, logger="security")
    UserFactory(username="kimura")
    stdout = io.StringIO()

    call_command("issue_token", "kimura", "--name", "nightly", stdout=stdout, stderr=io.StringIO())

    [event] = events(caplog)
    assert event["event"] == "token_issued" and "owner=kimura" in event["message"]
    assert stdout.getvalue().strip().split(".")[-1] not in caplog.text


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
