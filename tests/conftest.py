import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def plan_data(db):
    """The real 2023 action plan: 93 projects, loaded from the committed fixture."""
    call_command("loaddata", "action_plan_2023", verbosity=0)
