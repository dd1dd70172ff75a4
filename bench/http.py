"""`bench --http`: the API through gunicorn with the production settings, loaded by wrk."""

import os
import re
import runpy
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from bench.run import SEARCH_2
from projects.api.etags import project_etag
from projects.models import Project

DURATION = 10  # seconds per endpoint
CONNECTIONS = 8
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError("gunicorn exited at start.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise CommandError("gunicorn did not start.")


def wrk(url, headers, duration):
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    latency = {
        pct: float(value) * UNITS[unit]
        for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50_ms": round(latency["50"], 2),
        "p99_ms": round(latency["99"], 2),
        "errors": int(errors[1]) if errors else 0,
    }


def gunicorn_workers(env):
    """The workers gunicorn.conf.py starts with `env` (WEB_CONCURRENCY, else 2 × cores + 1)."""
    saved = os.environ.copy()
    try:
        os.environ.update(env)
        return runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))["workers"]
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def gunicorn(env):
    """A gunicorn of the production settings with `env` on a free loopback port: its base URL."""
    port = free_port()
    base = Path(settings.BASE_DIR)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(base / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
        ]
        + ["tracker.wsgi"],
        cwd=base,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def etag_of(url, headers):
    """The ETag a GET of `url` answers with (None without one)."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
        return response.headers.get("ETag")


def cases(root, auth, *, cached):
    """The endpoints to load, by name. Uncached (READ_CACHE=false): the list and a 2-character
    search, built afresh each time. Cached: the same repeated reads answered from the read
    cache, their 304s where the list has an ETag, and a project's detail and its 304."""
    search = f"{root}?q={urllib.parse.quote(SEARCH_2)}"
    if not cached:
        return {"list_uncached": (root, auth), "search_2_uncached": (search, auth)}
    project = Project.objects.order_by("number").first()
    found = {"list": (root, auth), "search_2": (search, auth)}
    etag = etag_of(root, auth)
    if etag:
        found["list_304"] = (root, {**auth, "If-None-Match": etag})
    detail = f"{root}{project.pk}/"
    found["detail"] = (detail, auth)
    found["detail_304"] = (detail, {**auth, "If-None-Match": project_etag(project)})
    return found


def load_test(command, token_key, duration=DURATION):
    if shutil.which("wrk") is None:
        raise CommandError("--http needs wrk (apt-get install wrk).")
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on the loopback, no TLS proxy in front; and a load test is not a throttle test.
        "SECURE_SSL_REDIRECT": "false",
        "API_RATE_USER": "1000000000/s",
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    }
    workers = gunicorn_workers(env)
    command.stdout.write(f"http: gunicorn with {workers} workers, wrk with {CONNECTIONS} connections")
    auth = {"Authorization": f"Token {token_key}"}
    results = {}
    # The read cache off (its setting READ_CACHE), then on: the same server code either way.
    for cached in (False, True):
        with gunicorn({**env, "READ_CACHE": "true" if cached else "false"}) as base:
            for name, (url, headers) in cases(f"{base}/api/projects/", auth, cached=cached).items():
                wrk(url, headers, 2)  # warm-up: every worker connected and its caches filled
                results[name] = row = wrk(url, headers, duration)
                command.stdout.write(
                    f"http {name:<18}{row['requests_per_s']:>10.0f} req/s  p50 {row['p50_ms']:.1f} ms  "
                    f"p99 {row['p99_ms']:.1f} ms  errors {row['errors']}"
                )
    return {
        "projects": Project.objects.count(),
        "workers": workers,
        "connections": CONNECTIONS,
        "seconds": duration,
        **results,
    }
