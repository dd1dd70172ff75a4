"""Production settings: check --deploy is clean, and the headers and cookies beyond what it checks."""

import ast
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory

BASE_DIR = Path(settings.BASE_DIR)

# The production environment of the README's "Running with PostgreSQL in production".
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "tracker.example.go.jp",
    "CSRF_TRUSTED_ORIGINS": "https://tracker.example.go.jp",
    "BEHIND_PROXY": "true",
    "CACHE_URL": "redis://cache.internal:6379/0",  # check --deploy does not connect to it
}


def _manage(*args, **env):
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "DEBUG"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**keep, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_in_production():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_check_deploy_complains_when_https_is_switched_off():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", SECURE_SSL_REDIRECT="false")

    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_check_deploy_warns_that_a_local_memory_cache_is_per_process():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", CACHE_URL="")

    assert result.returncode != 0
    assert "tracker.W001" in result.stdout + result.stderr


def test_the_per_process_cache_warning_can_be_silenced_where_one_process_runs():
    result = _manage(
        "check", "--deploy", "--fail-level", "DEBUG", CACHE_URL="", SILENCED_SYSTEM_CHECKS="tracker.W001"
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("url", "cache"),
    [
        # The quick start's default: one cache per process.
        ("", {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": ""}),
        # Django's own Redis backend, whatever else is installed (django-environ would prefer
        # django-redis), with its options in its own lower case.
        (
            "redis://cache.internal:6379/0?socket_timeout=2",
            {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://cache.internal:6379/0",
                "OPTIONS": {"socket_timeout": 2},
            },
        ),
        # KEY_PREFIX and TIMEOUT are Django's, in upper case.
        (
            "redis://cache.internal:6379/0?key_prefix=tracker&timeout=600",
            {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://cache.internal:6379/0",
                "KEY_PREFIX": "tracker",
                "TIMEOUT": 600,
                "OPTIONS": {},
            },
        ),
        (
            "rediss://cache.internal:6380/1",
            {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "rediss://cache.internal:6380/1",
            },
        ),
    ],
)
def test_cache_url_gives_the_cache(url, cache):
    script = "from django.conf import settings; print(repr(settings.CACHES['default']))"
    result = _manage("shell", "-c", script, CACHE_URL=url)

    assert result.returncode == 0, result.stderr
    assert ast.literal_eval(result.stdout.splitlines()[-1]) == cache


def test_missing_secret_key_fails_loudly():
    result = _manage("check", SECRET_KEY="")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_password_validators_refuse_short_common_and_numeric_passwords():
    user = UserFactory.build(username="tanaka-hiroshi")
    for weak in ["short1", "password1234", "123456789012", "tanakahiroshi"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("long enough passphrase 42", user)


def test_cookie_and_session_settings():
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.mark.django_db
def test_session_cookie_is_secure_and_httponly_over_https(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    user = UserFactory(is_staff=True, is_superuser=True)
    user.set_password("long enough passphrase 42")
    user.save()

    response = client.post(
        "/admin/login/",
        {"username": user.username, "password": "long enough passphrase 42", "next": "/admin/"},
        secure=True,
    )

    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_security_headers_on_every_response(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    response = client.get("/admin/login/", secure=True)

    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]  # scripts: 'self' only
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert len(response["X-Request-ID"]) == 32


INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\son[a-z]+=", re.I
)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/", "/api/projects/", "/admin/"])
def test_pages_run_no_inline_script_under_the_strict_policy(admin_client, path):
    response = admin_client.get(path, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("style-src")[0]
    assert "script-src" not in response["Content-Security-Policy"]  # scripts: 'self' only
    assert not INLINE_SCRIPT.search(response.content.decode())


@pytest.mark.django_db
def test_api_docs_start_up_script_is_a_file_of_its_own(admin_client):
    html = admin_client.get("/api/docs/").content.decode()
    script_url = re.search(r'<script src="(/api/docs/\?[^"]*script=[^"]*)"', html)[1].replace("&amp;", "&")

    script = admin_client.get(script_url)

    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_browsable_api_logs_out_with_a_plain_form(admin_client):
    html = admin_client.get("/api/projects/", HTTP_ACCEPT="text/html").content.decode()
    form = re.search(r'<form id="logout-form"[^>]*action="([^"]+)"', html)
    assert form and 'method="post"' in form[0]
    assert "onclick" not in html

    response = admin_client.post(form[1], {"next": "/api/projects/"})

    assert response.status_code == 302 and response["Location"] == "/api/projects/"
    assert "_auth_user_id" not in admin_client.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, title",
    [
        ("/api/", "API ルート"),
        ("/api/projects/", "案件"),
        ("/api/projects/1/developments/", "動き"),
        ("/api/countries/", "国"),
    ],
)
def test_browsable_api_titles_are_in_japanese(admin_client, path, title):
    from tests.factories import ProjectFactory

    ProjectFactory(pk=1)
    html = admin_client.get(path, HTTP_ACCEPT="text/html").content.decode()

    assert f"<title>{title} | 海外インフラ案件トラッカー API</title>" in html
    assert "Django REST framework" not in html


@pytest.mark.django_db
def test_html_404_page_is_the_admins_layout_in_japanese(client):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="ja"' in html and 'id="site-name"' in html
    assert "ページが見つかりません" in html
    assert "Not Found" not in html


@pytest.mark.django_db
def test_a_well_formed_request_id_from_the_proxy_is_kept(client):
    assert client.get("/admin/login/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    assert client.get("/admin/login/", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"
