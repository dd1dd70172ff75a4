"""Several gunicorn workers behave as one with CACHE_URL=redis://: the API throttle, the API
lockout and a renamed reference code are exact across them (issue 18, "One cache for all
workers").

Each test starts gunicorn with the production settings and WORKERS sync workers against the
test database (PostgreSQL: the workers are other processes, and pytest-django's SQLite test
database lives in memory) and the machine's Redis (REDIS_URL, its own database number, emptied
before and after). Requests go one at a time; the kernel hands each to whichever worker accepts
it first. The access log pairs each request's X-Seq header with the worker's pid, and a test
sends requests until every worker has served enough of them for a per-process count to show:
then the shared counts are exact whatever the order. The control test runs the throttle with
local memory and counts WORKERS times as many, so the harness does catch a per-process cache.
"""

import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from accounts.roles import ADMINISTRATOR, VIEWER
from bench.http import free_port, wait_for
from tests.factories import SectorFactory, UserFactory
from tokens.models import APIToken

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

WORKERS = 3
THROTTLE = 4  # requests per hour per user
FAILURE_LIMIT = 3  # refused credentials before the API lockout
MAX_REQUESTS = 300  # per phase; the workers share requests about evenly, so ~20 are enough


def database_url():
    db = settings.DATABASES["default"]
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    """gunicorn on a free port; `get` answers (status, pid of the worker that served it)."""

    def __init__(self, port, log):
        self.port, self.log, self.sequence = port, log, 0

    def get(self, path, token=None):
        self.sequence += 1
        headers = {"X-Seq": str(self.sequence)}
        if token:
            headers["Authorization"] = f"Token {token}"
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        return self.send(request)

    def patch(self, path, token, body):
        self.sequence += 1
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=body.encode(),
            method="PATCH",
            headers={
                "X-Seq": str(self.sequence),
                "Authorization": f"Token {token}",
                "Content-Type": "application/json",
            },
        )
        return self.send(request)

    def send(self, request):
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        return status, self.worker_of(self.sequence)

    def worker_of(self, sequence):
        """The pid in the access log's line for `sequence` (written just after the answer)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for line in self.log.read_text().splitlines():
                seq, pid = line.split()[:2]
                if seq == str(sequence):
                    return pid
            time.sleep(0.01)
        raise AssertionError(f"request {sequence} is not in gunicorn's access log")

    def until_every_worker_served(self, count, send):
        """Call `send` (one request) until each of the WORKERS workers served `count` of them;
        returns the statuses in order."""
        answers = []
        while True:
            served = Counter(pid for _status, pid in answers)
            if len(served) == WORKERS and min(served.values()) >= count:
                return [status for status, _pid in answers]
            assert len(answers) < MAX_REQUESTS, f"the workers' shares are too uneven: {served}"
            answers.append(send())


@pytest.fixture
def serve(transactional_db, redis_url, tmp_path):
    """Start gunicorn with these environment variables on top of the production settings."""
    processes = []

    def start(**env):
        port = free_port()
        log = tmp_path / f"access-{port}.log"
        log.touch()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(Path(settings.BASE_DIR) / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--access-logfile",
                str(log),
                "--access-logformat",
                "%({x-seq}i)s %(p)s %(s)s",
                "tracker.wsgi",
            ],
            cwd=settings.BASE_DIR,
            env={
                **os.environ,
                "DEBUG": "false",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECURE_SSL_REDIRECT": "false",  # plain HTTP on the loopback
                "DATABASE_URL": database_url(),
                "CACHE_URL": redis_url,
                "API_RATE_USER": "100000/hour",
                "API_RATE_ANON": "100000/hour",
                "BENCH": "false",
                **env,
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        wait_for(port, process)
        return Server(port, log)

    yield start
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


def viewer_token():
    _token, key = APIToken.objects.issue(user=UserFactory(role=VIEWER), name="test")
    return key


def test_the_api_throttle_lets_exactly_its_rate_through_across_workers(serve):
    server = serve(API_RATE_USER=f"{THROTTLE}/hour")
    token = viewer_token()

    statuses = server.until_every_worker_served(THROTTLE + 1, lambda: server.get("/api/sectors/", token))

    assert statuses == [200] * THROTTLE + [429] * (len(statuses) - THROTTLE)


def test_with_a_per_process_cache_each_worker_counts_alone(serve):
    """The control: the same requests with local memory let the rate through once per worker."""
    server = serve(API_RATE_USER=f"{THROTTLE}/hour", CACHE_URL="locmemcache://")
    token = viewer_token()

    statuses = server.until_every_worker_served(THROTTLE + 1, lambda: server.get("/api/sectors/", token))

    assert statuses.count(200) == WORKERS * THROTTLE


def test_the_api_lockout_comes_at_the_same_request_across_workers(serve):
    server = serve(API_AUTH_FAILURE_LIMIT=str(FAILURE_LIMIT))

    statuses = server.until_every_worker_served(
        FAILURE_LIMIT + 1, lambda: server.get("/api/sectors/", "not-a-token")
    )

    assert statuses == [401] * FAILURE_LIMIT + [429] * (len(statuses) - FAILURE_LIMIT)


def test_a_renamed_code_is_refused_at_once_by_every_worker(serve):
    server = serve()
    SectorFactory(code="rail-old")
    token = viewer_token()
    _admin_token, admin_key = APIToken.objects.issue(user=UserFactory(role=ADMINISTRATOR), name="admin")
    # Every worker has checked a filter by the old code, so every one has read the codes.
    warm = server.until_every_worker_served(1, lambda: server.get("/api/projects/?sector=rail-old", token))
    assert set(warm) == {200}

    status, _pid = server.patch("/api/sectors/rail-old/", admin_key, '{"code": "rail-new"}')
    assert status == 200

    old = server.until_every_worker_served(1, lambda: server.get("/api/projects/?sector=rail-old", token))
    new = server.until_every_worker_served(1, lambda: server.get("/api/projects/?sector=rail-new", token))
    assert set(old) == {400}
    assert set(new) == {200}
