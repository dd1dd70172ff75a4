"""tokens.signals: a token's issue and revocation are logged the same way, whoever does them."""

import io
import logging

import pytest
from django.core.management import call_command

from tests.factories import UserFactory
from tokens.models import APIToken

pytestmark = pytest.mark.django_db


def fields(record) -> dict:
    # `event=... user=... ip=... request_id=... key=value ...` (tracker.log.log_event)
    return dict(part.split("=", 1) for part in record.getMessage().split(" "))


def test_revoke_token_command_logs_what_a_revoking_save_logs(caplog):
    caplog.set_level(logging.INFO, logger="security")
    owner = UserFactory(username="tanaka")
    by_command, _key = APIToken.objects.issue(user=owner, name="one", read_only=True)
    by_save, _key = APIToken.objects.issue(user=owner, name="two", read_only=True)
    caplog.clear()

    call_command("revoke_token", by_command.prefix, stdout=io.StringIO())
    by_save.revoked = True
    by_save.save()

    command, saved = (fields(record) for record in caplog.records if record.name == "security")
    assert command.pop("by") == "command"
    assert command.pop("token") == by_command.prefix and saved.pop("token") == by_save.prefix
    assert command == saved
    assert saved["event"] == "token_revoked" and saved["owner"] == "tanaka" and saved["read_only"] == "True"
