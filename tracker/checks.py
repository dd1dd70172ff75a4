"""The project's own system checks (registered by TrackerAdminConfig.ready())."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Production runs several gunicorn workers (gunicorn.conf.py): with a per-process cache
    each counts the API throttles and lockout alone and keeps a renamed reference code, so
    `check --deploy` says so. A check cannot know how many processes will run: silence
    tracker.W001 where only one does."""
    backend = settings.CACHES.get("default", {}).get("BACKEND")
    if backend not in PER_PROCESS_CACHES:
        return []
    name = backend.rsplit(".", 1)[-1]
    return [
        Warning(
            f"The cache is per process ({name}): with more than one worker or server, each counts "
            "the API throttles and the API lockout on its own and keeps a renamed reference code "
            "for up to 5 minutes.",
            hint="Set CACHE_URL=redis://<host>:6379/0, one Redis shared by every worker "
            '(README, "Running several servers"), or silence tracker.W001 if only one process runs.',
            id="tracker.W001",
        )
    ]
