"""Settings for the overseas infrastructure project tracker.

One module, configured from the environment. With nothing set it runs on a SQLite file
in the project directory; production sets DATABASE_URL, SECRET_KEY and ALLOWED_HOSTS.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local, untracked .env (written by scripts/serve for the quick start) may supply values;
# real environment variables always win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "tracker.admin.TrackerAdminConfig",  # the admin site of tracker/admin.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "simple_history",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rest_framework_api_key",
    "tracker.axes_app.AxesConfig",  # django-axes, with a translated admin section name
    "countries",
    "projects",
    "accounts",  # roles, login backends and log, user commands (no models)
    "plans",  # the plan's editions, their listings, and the plan text's parser and fixture
    "changes",  # the change log across projects (changes.log)
    "opendata",  # the project list as OC4IDS and IATI (?format=oc4ids|iati)
    "savedfilters",  # the project list's filters a user saved under a name (admin, front page, API)
    "tokens",
    "portal",  # the readers' pages: the front page and a project's page
    "events",  # the outbox of changes that followers hear of (digests, webhooks)
    "watches",  # what each user follows, and the projects' responsible officers' watches
    "digests",  # the daily email of what changed in what each user watches (send_digests)
    "feeds",  # Atom feeds of developments, opened by a per-user feed key in the URL
    "webhooks",  # signed POSTs of the outbox's events to administrators' endpoints (deliver_webhooks)
    "readcache",  # the data version, and the list's, status table's and summary's cached reads
]
if env.bool("BENCH", default=False):
    # The benchmark and its data generator (manage.py bench, generate_projects): they delete and
    # generate projects in bulk, so a server has them only when asked.
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    "tracker.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tracker.middleware.ContentSecurityPolicyMiddleware",
    "tracker.middleware.APIBodyLimitMiddleware",
    "tracker.middleware.RefusalLogMiddleware",
    "tracker.middleware.APIAuthLockoutMiddleware",
    "tracker.middleware.BrowserLoginRedirectMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tracker.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "tracker.middleware.DatabaseUnavailableMiddleware",
    # Last, as axes asks: it turns a lockout during login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take SQLite's lock when their transaction starts, and wait for it, instead of
    # failing with "database is locked" when two requests write at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
# One date style per language (tracker/formats/<language>/formats.py), in Tokyo time.
FORMAT_MODULE_PATH = ["tracker.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "admin:login"

# axes' lockout check runs before the password check; accounts.backends.LoginBackend lets logins
# that come with no HTTP request (management commands) through to ModelBackend.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginBackend",
    "accounts.backends.PermissionBackend",
]

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# The front page map's country shapes (Natural Earth via world-atlas), installed by scripts/setup
# (portal/fetch_shapes.py); read from disk, never fetched at run time.
MAP_SHAPES_PATH = Path(
    env.str("MAP_SHAPES_PATH", default=str(BASE_DIR / "var" / "world-atlas" / "countries-50m.json"))
)

# Production hardening; each can be relaxed through the environment for a plain-HTTP setup.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
CSRF_COOKIE_HTTPONLY = True  # the admin and Swagger UI take the token from the page, not the cookie
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
# Preloading HSTS binds every subdomain of the domain for good: the domain's owner decides
# (SECURE_HSTS_PRELOAD=true), so check --deploy's reminder about it is silenced. More can be
# silenced through the environment, e.g. tracker.W001 where a single process runs.
SILENCED_SYSTEM_CHECKS = ([] if SECURE_HSTS_PRELOAD else ["security.W021"]) + env.list(
    "SILENCED_SYSTEM_CHECKS", default=[]
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Set by tracker.middleware.ContentSecurityPolicyMiddleware on every page. Everything is
# served from this host. Scripts only from our files, never inline, the API docs included
# (Swagger UI's start-up script is a separate request); inline <style> is allowed (the admin
# pages and the printable status table carry their own).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# Request bodies. The API answers 413 in JSON above API_MAX_BODY_BYTES, and the spreadsheet
# upload (POST /api/imports/) above IMPORT_MAX_REQUEST_BYTES: the largest file an import reads
# (projects.spreadsheets.reading), with room for the multipart envelope and the other fields.
# Django refuses form data above DATA_UPLOAD_MAX_MEMORY_SIZE.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
IMPORT_MAX_FILE_BYTES = 10 * 1024 * 1024
IMPORT_MAX_REQUEST_BYTES = IMPORT_MAX_FILE_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2621440)
DATABASE_RETRY_AFTER = 30  # seconds, in the 503 answered while the database is down

# Open data (opendata/). The project list's renderers beyond JSON, CSV and XLSX: the projects
# app lists them by name, so it does not import the app that uses it.
PROJECT_LIST_EXTRA_RENDERERS = ["opendata.renderers.OC4IDSRenderer", "opendata.renderers.IATIRenderer"]
# OC4IDS project ids are "<prefix>-<tracker number>". The Open Contracting Partnership assigns a
# publisher its prefix (oc4ids-xxxxxx); the default is the placeholder until MLIT registers one.
OC4IDS_ID_PREFIX = env("OC4IDS_ID_PREFIX", default="oc4ids-xxxxxx")
# IATI: the reporting organisation's identifier (activities are "<ref>-<tracker number>") and its
# OrganisationType (10 Government). The default, under Japan's OECD DAC code (XM-DAC-701), is a
# placeholder until MLIT registers its own with IATI.
IATI_REPORTING_ORG_REF = env("IATI_REPORTING_ORG_REF", default="XM-DAC-701-MLIT")
IATI_REPORTING_ORG_TYPE = env("IATI_REPORTING_ORG_TYPE", default="10")

# Email (the digests, digests/): EMAIL_URL (smtp+tls://user:pass@host:587, smtp+ssl://…,
# consolemail://) or the separate EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS, EMAIL_USE_SSL. With neither, DEBUG (the quick start) prints emails on the
# console, and production sends through the SMTP server on localhost:25, Django's default.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url_config(EMAIL_URL))
else:
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
    EMAIL_BACKEND = (
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG and "EMAIL_HOST" not in env
        else "django.core.mail.backends.smtp.EmailBackend"
    )
# A send holds its digest's row lock (digests.run): a server that hangs must not hold it long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tracker@localhost")
# The site's address as readers reach it, for links in emails (no request to take it from):
# SITE_URL, e.g. https://tracker.example.go.jp. Unset: the quick start's address with DEBUG,
# otherwise https:// and the first ALLOWED_HOSTS entry that names one host (digests.E001 when none).
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
if not SITE_URL:
    _hosts = [h for h in ALLOWED_HOSTS if h and not h.startswith(".") and "*" not in h]
    SITE_URL = "http://127.0.0.1:8000" if DEBUG else (f"https://{_hosts[0]}" if _hosts else "")
# The digests' reminder: a responsible officer hears of each of their projects with no
# development recorded for this many days (README, "Staying informed").
DIGEST_REMINDER_DAYS = env.int("DIGEST_REMINDER_DAYS", default=90)

# Webhooks (manage.py deliver_webhooks; README, "Webhooks"): each POST's timeout; a failed
# delivery is retried after min(BASE * 2**(attempts-1), CAP) seconds, failed for good after
# MAX_ATTEMPTS, and an endpoint is turned off after MAX_FAILURES failures in a row.
# WEBHOOKS_ALLOW_PRIVATE=true allows http:// and private addresses (tests, a closed network):
# otherwise only https:// to public addresses (webhooks/safety.py).
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10)
WEBHOOKS_RETRY_BASE_SECONDS = env.int("WEBHOOKS_RETRY_BASE_SECONDS", default=60)
WEBHOOKS_RETRY_CAP_SECONDS = env.int("WEBHOOKS_RETRY_CAP_SECONDS", default=6 * 60 * 60)
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=15)
WEBHOOKS_MAX_FAILURES = env.int("WEBHOOKS_MAX_FAILURES", default=10)
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)

# The cache holds the API throttles' counts, the API lockout's failures and the reference codes
# (projects/codes.py). Local memory, the quick start's default, is per worker process: with more
# than one process, set CACHE_URL=redis://host:6379/0 so that every worker and server shares one
# cache (README, "Running several servers"; check --deploy warns, tracker.W001). A redis:// URL
# always means Django's own backend: django-environ would pick django-redis instead if it
# happened to be installed, whose options and errors differ. The admin login lockout (axes)
# counts in the database, its default handler, so it is shared whatever the cache.
REDIS_SCHEMES = ("redis://", "rediss://", "rediscache://")
CACHE_URL = env.str("CACHE_URL", default="") or "locmemcache://"
CACHES = {
    "default": env.cache_url_config(
        CACHE_URL,
        backend="django.core.cache.backends.redis.RedisCache"
        if CACHE_URL.startswith(REDIS_SCHEMES)
        else None,
    )
}
# django-environ gives the base options of Django's Redis backend in lower case, which Django
# ignores: ?key_prefix=tracker&timeout=600 must reach KEY_PREFIX and TIMEOUT.
for option in ("key_prefix", "timeout", "version"):
    if option in CACHES["default"]:
        CACHES["default"][option.upper()] = CACHES["default"].pop(option)

# Reads at scale (readcache): the project list's JSON pages, the status table and the summary
# are kept in the cache above, keyed by the data version (a write makes every entry stale at
# once), for READ_CACHE_SECONDS at most. READ_CACHE=false answers every read afresh (the bench's
# uncached measure); the ETags and 304s stay either way.
READ_CACHE = env.bool("READ_CACHE", default=True)
READ_CACHE_SECONDS = env.int("READ_CACHE_SECONDS", default=3600)

# Failed logins (django-axes): after AXES_FAILURE_LIMIT failures for one user name from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES (the admin answers 429).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", default=15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "tracker.log.client_ip"
AXES_VERBOSE = False  # accounts.signals logs logins and failures itself
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"  # the admin's layout, says how long
# API credentials: after this many 401s from one address, the API answers it 429 for a while.
API_AUTH_FAILURE_LIMIT = env.int("API_AUTH_FAILURE_LIMIT", default=20)
API_AUTH_LOCKOUT_SECONDS = env.int("API_AUTH_LOCKOUT_SECONDS", default=15 * 60)

# The REST API (README, "API"). Token authentication comes first: its WWW-Authenticate header
# makes DRF answer 401, not 403, to a request without credentials.
# Query parameters standing for a set of filters (tracker.api.FilterBackend): by filter set, the
# parameter and its preset. `?saved=12` on the project list is the user's saved filter 12; the
# app that owns a preset depends on the filter set, not the reverse.
FILTER_PRESETS = {
    "projects.filtersets.ProjectFilterSet": {"saved": "savedfilters.presets.saved_filter"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tokens.authentication.APITokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tracker.api.ModelPermissions"],
    "DEFAULT_PARSER_CLASSES": [
        "tracker.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "tracker.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["tracker.api.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "tracker.schema.AutoSchema",
    "EXCEPTION_HANDLER": "tracker.api.exception_handler",
    "VIEW_NAME_FUNCTION": "tracker.api.view_name",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "tracker.api.ContentNegotiation",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Per user (and per address for anonymous requests); the rates are "number/period".
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_RATE_USER", default="5000/hour"),
        "anon": env.str("API_RATE_ANON", default="100/hour"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "MLIT overseas infrastructure project tracker API",
    "DESCRIPTION": (
        "The 93 projects of MLIT's overseas infrastructure action plan 2023, their developments "
        "and status history. Authenticate with `Authorization: Token <key>` or a session login. "
        "Writes to a project need `If-Match` with the ETag of the version you edited."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from our own static files: /api/docs/ works with no internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "projects.choices.Status",
        "DevelopmentKindEnum": "projects.choices.DevelopmentKind",
        "DatePrecisionEnum": "projects.choices.DatePrecision",
        "SchemeFamilyEnum": "projects.choices.SchemeFamily",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tracker.log.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "tracker.log.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Security events (tracker.log.log_event): always at INFO, whatever LOG_LEVEL says.
        "security": {"level": "INFO"},
        # Django's own handlers (a console one with DEBUG, runserver's with its local-time
        # stamp) would print each request warning a second time and in another time format:
        # every line goes through the root handler above instead, in UTC.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
