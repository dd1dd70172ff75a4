"""Faults, against a throwaway PostgreSQL server this module starts itself (initdb in a temporary
directory, its own port), never the machine's shared server:

- the server stops while gunicorn serves the API: requests get 503 JSON with Retry-After and no
  traceback; once it is back, every request succeeds again (persistent connections are
  health-checked);
- a process killed in the middle of a status change or an import leaves no partial rows.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings

pytestmark = pytest.mark.postgresql

BASE_DIR = Path(django_settings.BASE_DIR)


def _pg_bin() -> Path:
    """PG_BIN, or the newest Debian PostgreSQL installed (initdb and pg_ctl are not on PATH)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return installed[-1].parent if installed else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    """A PostgreSQL server of our own: initdb in a temporary directory, started on a free port."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="tracker-faults-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.as_postgres = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self._run(
            PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"
        )
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/tracker"

    def _run(self, *args):
        subprocess.run([*self.as_postgres, *map(str, args)], check=True, capture_output=True, timeout=120)

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", self.dir / "log", "-w", "start")

    def stop(self):
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def psql(self, sql: str, database: str = "tracker") -> str:
        result = subprocess.run(
            [
                PG_BIN / "psql",
                "-XAtq",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-c",
                sql,
                database,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.stdout.strip()

    def destroy(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def _env(pg) -> dict:
    keep = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    return {
        **keep,
        "DATABASE_URL": pg.url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "600",
        "API_RATE_USER": "100000/hour",
    }


def _manage(pg, *args, input=None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=_env(pg),
        capture_output=True,
        text=True,
        timeout=300,
        input=input,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


SETUP = """
from django.contrib.auth import get_user_model
from accounts.roles import ADMINISTRATOR, sync_roles
from django.contrib.auth.models import Group
from tokens.models import APIToken
user = get_user_model().objects.create_user("faults", is_staff=True)
user.groups.add(Group.objects.get(name=ADMINISTRATOR))
_token, key = APIToken.objects.issue(user=user, name="faults")
print(key)
"""


@pytest.fixture(scope="module")
def pg():
    server = ThrowawayPostgres()
    try:
        server.start()
        server.psql("CREATE DATABASE tracker", database="postgres")
        _manage(server, "migrate", "--no-input", "-v0")
        _manage(server, "loaddata", "action_plan_2023", "-v0")
        server.key = _manage(server, "shell", "-v0", "-c", SETUP).strip().splitlines()[-1]
        yield server
    finally:
        server.destroy()


@pytest.fixture
def gunicorn(pg, tmp_path):
    port = _free_port()
    config = tmp_path / "gunicorn.conf.py"  # not the project's: its own bind and workers
    config.write_text("")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "tracker.wsgi",
            "-c",
            str(config),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "--timeout",
            "30",
        ],  # fmt: skip
        cwd=BASE_DIR,
        env=_env(pg),
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    # Up once it answers anything: the API's 401 without a token (the admin's pages would need
    # collectstatic's manifest, which a fresh clone does not have under these production settings).
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/api/", timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    yield base
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def _get(base, key, path="/api/projects/?limit=5"):
    request = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"Token {key}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_api_answers_503_while_the_database_is_down_and_recovers(pg, gunicorn):
    # Warm up: every worker thread holds a persistent connection.
    assert {_get(gunicorn, pg.key)[0] for _ in range(20)} == {200}

    pg.stop()
    try:
        down = [_get(gunicorn, pg.key) for _ in range(10)]
    finally:
        pg.start()

    for status, headers, body in down:
        assert status == 503, body[:500]
        assert headers["Content-Type"] == "application/json"
        assert int(headers["Retry-After"]) > 0
        assert json.loads(body)["code"] == "service_unavailable"
        assert b"Traceback" not in body and b"psycopg" not in body
    # Back up: not one request fails, although every worker's old connection is dead.
    assert [_get(gunicorn, pg.key)[0] for _ in range(30)] == [200] * 30


def _counts(pg) -> dict:
    tables = [
        "projects_project", "projects_statuschange", "projects_development",
        "projects_historicalproject", "projects_historicalstatuschange", "projects_historicaldevelopment",
    ]  # fmt: skip
    counts = {table: int(pg.psql(f"SELECT count(*) FROM {table}")) for table in tables}
    counts["statuses"] = pg.psql(
        "SELECT md5(string_agg(number || status || version, ',' ORDER BY number)) FROM projects_project"
    )
    return counts


def _kill_when_written(pg, script: str):
    """Runs `script` in a manage.py shell; it prints WRITTEN inside its transaction and waits.
    The process is SIGKILLed there, before it commits."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-v0", "-c", script],
        cwd=BASE_DIR,
        env=_env(pg),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in process.stdout:
            if line.strip() == "WRITTEN":
                break
        else:
            pytest.fail(f"the worker ended before writing: {process.stderr.read()}")
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


# The worker stops right after the status change row is written: inside the service's
# transaction, before the project row is updated (and, in an import, before the other rows).
STALL_AFTER_WRITE = """
import time
from projects import services
from projects.models import StatusChange
original_save = StatusChange.save
def stalled_save(self, *args, **kwargs):
    original_save(self, *args, **kwargs)
    print("WRITTEN", flush=True)
    time.sleep(120)
StatusChange.save = stalled_save
"""


def test_a_worker_killed_during_a_status_change_leaves_nothing(pg):
    before = _counts(pg)

    _kill_when_written(
        pg,
        STALL_AFTER_WRITE
        + """
from django.contrib.auth import get_user_model
from projects.models import Project
project = Project.objects.get(number=1)
services.project_change_status(project=project, status="suspended", user=get_user_model().objects.get(username="faults"))
""",
    )

    assert _counts(pg) == before


def test_a_worker_killed_during_an_import_leaves_nothing(pg):
    before = _counts(pg)

    _kill_when_written(
        pg,
        STALL_AFTER_WRITE
        + """
from django.contrib.auth import get_user_model
from projects.spreadsheets.apply import apply_preview, import_batch_create
from tests.workbooks import edit_xlsx, export_xlsx, set_cell
def edit(projects, developments):
    for number in (2, 3, 4):
        set_cell(projects, number, "status", "suspended")
    set_cell(projects, 5, "name_en", "Killed mid-import")
user = get_user_model().objects.get(username="faults")
batch = import_batch_create(source=edit_xlsx(export_xlsx(), edit), filename="kill.xlsx", user=user)
assert not batch.preview["errors"], batch.preview["errors"]
apply_preview(batch, user)
""",
    )

    assert _counts(pg) == before
    assert pg.psql("SELECT state FROM projects_importbatch WHERE filename = 'kill.xlsx'") == "previewed"
