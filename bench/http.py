"""`bench --http`: the API through gunicorn with the production settings, loaded by wrk."""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

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


def load_test(command, token_key, duration=DURATION):
    if shutil.which("wrk") is None:
        raise CommandError("--http needs wrk (apt-get install wrk).")
    port = free_port()
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
            "tracker.wsgi",
        ],
        cwd=base,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, process)
        project = Project.objects.order_by("number").first()
        auth = {"Authorization": f"Token {token_key}"}
        root = f"http://127.0.0.1:{port}/api/projects/"
        cases = {
            "list": (root, auth),
            "detail": (f"{root}{project.pk}/", auth),
            "detail_304": (f"{root}{project.pk}/", {**auth, "If-None-Match": project_etag(project)}),
        }
        results = {}
        for name, (url, headers) in cases.items():
            wrk(url, headers, 2)  # warm-up: every worker connected and its caches filled
            results[name] = wrk(url, headers, duration)
            row = results[name]
            command.stdout.write(
                f"http {name:<12}{row['requests_per_s']:>10.0f} req/s  p50 {row['p50_ms']:.1f} ms  "
                f"p99 {row['p99_ms']:.1f} ms  errors {row['errors']}"
            )
        return {
            "projects": Project.objects.count(),
            "connections": CONNECTIONS,
            "seconds": duration,
            **results,
        }
    finally:
        process.terminate()
        process.wait(timeout=30)
