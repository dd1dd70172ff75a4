"""Fixtures of the tracker tests."""

import pytest

from accounts.roles import ADMINISTRATOR
from tests.factories import UserFactory
from tests.security import PASSWORD


@pytest.fixture
def staff():
    user = UserFactory(role=ADMINISTRATOR, is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user
