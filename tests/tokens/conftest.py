"""Fixtures of the token tests."""

import pytest

from tests.factories import ProjectFactory


@pytest.fixture
def project():
    return ProjectFactory()
