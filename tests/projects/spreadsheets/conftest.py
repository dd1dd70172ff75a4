"""Fixtures of the spreadsheet tests."""

import pytest

from accounts.roles import EDITOR
from tests.factories import UserFactory


@pytest.fixture
def editor():
    return UserFactory(username="editor", role=EDITOR)
