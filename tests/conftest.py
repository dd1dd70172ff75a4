import pytest
from django.core.management import call_command

from accounts.roles import EDITOR
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle and lockout counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def redis_url():
    """The machine's Redis for the shared cache's tests: REDIS_URL, by default database 15 of
    127.0.0.1:6379, a database of their own, emptied before and after (only that one). Redis
    down is a failure, not a skip: CI starts it (scripts/redis-up)."""
    import os

    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.ConnectionError as error:
        pytest.fail(
            f"Redis does not answer at {url} ({error}): start it with scripts/redis-up, or set REDIS_URL."
        )
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def shared_cache(settings, redis_url):
    """Django's cache is the machine's Redis, as with production's CACHE_URL=redis://."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Pages render without a collectstatic manifest (production uses WhiteNoise's manifest)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request through LocaleMiddleware (the test
    client's) leaves its language active in the thread, which would leak into the next test."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def english(settings):
    """For tests that read messages: English, the catalogue's source language."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def editor(db):
    """An editor (担当者), the role that records developments and changes projects."""
    return UserFactory(username="tanaka", role=EDITOR)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def plan_data(db):
    """The real 2023 action plan: 93 projects, loaded from the committed fixture."""
    call_command("loaddata", "action_plan_2023", verbosity=0)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "postgresql: needs PostgreSQL (DATABASE_URL=postgres://...); deselected on other databases"
    )


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` (real row-lock concurrency) run in the PostgreSQL run.

    On another database they are deselected, which pytest reports in its summary ("2
    deselected"). Asking for them there, with `-m postgresql` or by naming their file, is an
    error rather than a silent skip.
    """
    import re

    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    marked = [item for item in items if item.get_closest_marker("postgresql")]
    if not marked or engine == "django.db.backends.postgresql":
        return
    asked = re.search(r"(?<!not )\bpostgresql\b", config.getoption("markexpr") or "") or any(
        str(item.path).endswith(arg.split("::")[0])
        for item in marked
        for arg in config.args
        if arg.endswith(".py") or ".py::" in arg
    )
    if asked:
        raise pytest.UsageError(
            f"Tests marked postgresql need DATABASE_URL=postgres://...; this run uses {engine}."
        )
    config.hook.pytest_deselected(items=marked)
    items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


def pytest_report_header(config):
    from tests.fuzz_seeds import fuzz_seeds

    return f"API fuzz seeds: {','.join(map(str, fuzz_seeds()))} (replay one with FUZZ_SEEDS=<seed>)"
