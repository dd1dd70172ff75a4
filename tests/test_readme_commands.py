"""Every command in the README runs as written after the quick start.

The README's shell blocks are read from the file. A block's tag says how it is run:

- ```` ```sh server ````: the quick start itself (`./scripts/serve`), started first and left
  serving, in a temporary copy of the project with its own SQLite database and `.env`, on a
  free port (`PORT`, which the README's `API=` line and scripts/serve honour);
- ```` ```sh ````: run in order, in one bash session in that copy, while the server runs, as
  the README says (a second terminal in the project directory);
- ```` ```sh suite ```` (`./scripts/test`, the suite this test belongs to), ```` ```sh production
  ```` (a production server: PostgreSQL, real secrets, gunicorn) and ```` ```sh postgresql ````
  (needs a PostgreSQL server): not run. Any other tag is an error, and the number of blocks of
  each kind is asserted, so a new block is never skipped silently.

Two things are supplied that a reader brings: the lines typed at a block's password prompts
(its stdin), and `weekly.xlsx`, the edited download that the import example uploads (an unedited export of
the list here). `curl` is given `--fail-with-body` so that an example answered 4xx fails the
test instead of printing an error body.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)```sh(?P<tag>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S
)
NOT_RUN = {"suite", "production", "postgresql"}
EXPECTED = {"server": 1, "run": 15, "suite": 2, "production": 2, "postgresql": 1}
PASSWORD = "a long enough readme passphrase 42"


def readme_blocks() -> list[tuple[str, str]]:
    text = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert text.count("```sh") == len(BLOCK.findall(text)), "a ```sh block the pattern does not read"
    return [(match["tag"].strip() or "run", textwrap.dedent(match["body"])) for match in BLOCK.finditer(text)]


def test_every_readme_shell_block_is_tagged_and_counted():
    blocks = readme_blocks()
    kinds = {kind for kind, _body in blocks}

    assert kinds <= {"server", "run"} | NOT_RUN, kinds
    assert {kind: sum(1 for k, _b in blocks if k == kind) for kind in EXPECTED} == EXPECTED


def _project_copy(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=BASE_DIR,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = BASE_DIR / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to((BASE_DIR / ".venv").resolve())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 300  # installing and loading the plan on a slow machine
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"./scripts/serve stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    pytest.fail(f"./scripts/serve did not serve {url}:\n{log.read_text()}")


def test_readme_commands_run_as_written_after_the_quick_start(tmp_path):
    blocks = readme_blocks()
    (server_block,) = [body for kind, body in blocks if kind == "server"]
    runnable = [body for kind, body in blocks if kind == "run"]
    project = tmp_path / "tracker"
    project.mkdir()
    _project_copy(project)
    port = _free_port()
    # A clean environment, as in a new terminal: nothing of this test run's settings.
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8", "PORT": str(port)}
    log = tmp_path / "serve.log"

    with open(log, "w") as out:
        server = subprocess.Popen(
            ["bash", "-c", server_block],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_serving(f"http://127.0.0.1:{port}/admin/login/", server, log)
        subprocess.run(
            [
                ".venv/bin/python",
                "manage.py",
                "shell",
                "-c",
                "from projects.spreadsheets.export import write_list_xlsx; from projects.models import Project; "
                "write_list_xlsx(Project.objects.all(), open('weekly.xlsx', 'wb'))",
            ],
            cwd=project,
            env=env,
            check=True,
        )
        # Each block reads what is typed at its prompts from its own stdin (a password, twice
        # for changepassword); there is no controlling terminal (a new session).
        typed = tmp_path / "typed"
        typed.write_text(f"{PASSWORD}\n{PASSWORD}\n")
        script = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n' + "".join(
            f'echo "::readme-block {number}" >&2\n{{\n{body}\n}} < "{typed}"\n'
            for number, body in enumerate(runnable, 1)
        )
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            start_new_session=True,
            timeout=600,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    output = f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    assert result.returncode == 0, output
    assert re.findall(r"^::readme-block (\d+)$", result.stderr, re.M) == [
        str(number) for number in range(1, len(runnable) + 1)
    ], output
    assert len(runnable) == EXPECTED["run"]
    # The writes happened: the examples' PATCH and status change.
    assert '"name_en":"Jakarta MRT North-South Line (Phase 2)"' in result.stdout
    assert "相手国の予算措置待ちで中断" in result.stdout
