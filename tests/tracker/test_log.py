"""The security log: logins, logouts, failures, tokens and imports, one line each, in UTC."""

import logging
import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.roles import EDITOR, VIEWER
from projects.api.etags import project_etag
from tests.clients import user_token_client
from tests.factories import ProjectFactory, UserFactory
from tests.security import PASSWORD, admin_login, events
from tokens.models import APIToken

pytestmark = pytest.mark.django_db


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
    from projects.spreadsheets.errors import ImportRefused

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
