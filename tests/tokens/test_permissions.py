"""tokens.permissions.refuses_write: a read-only token reads, and refuses every write."""

from types import SimpleNamespace

import pytest

from tokens.permissions import refuses_write

WRITES = ["POST", "PUT", "PATCH", "DELETE"]
READS = ["GET", "HEAD", "OPTIONS"]


def request(method, auth):
    return SimpleNamespace(method=method, auth=auth)


@pytest.mark.parametrize("method", WRITES)
def test_a_read_only_token_refuses_a_write(method):
    assert refuses_write(request(method, SimpleNamespace(read_only=True)))


@pytest.mark.parametrize("method", READS)
def test_a_read_only_token_reads(method):
    assert not refuses_write(request(method, SimpleNamespace(read_only=True)))


@pytest.mark.parametrize("method", WRITES + READS)
@pytest.mark.parametrize("auth", [None, SimpleNamespace(read_only=False)], ids=["session", "token"])
def test_a_session_or_a_read_write_token_refuses_nothing(method, auth):
    assert not refuses_write(request(method, auth))
