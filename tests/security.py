"""Helpers of the security tests: the security log's events as dicts, and an admin login."""

import re

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


def admin_login(client, username, password):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR="192.0.2.7",
    )
