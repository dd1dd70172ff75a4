"""The email and SITE_URL settings, read from the environment as production and the quick start set it."""

import ast

import pytest

from tests.tracker.test_settings import _manage

READ = (
    "from django.conf import settings as s; print(repr({k: getattr(s, k) for k in ("
    "'EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', "
    "'EMAIL_USE_TLS', 'EMAIL_USE_SSL', 'DEFAULT_FROM_EMAIL', 'SITE_URL')}))"
)
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def _settings(**env):
    result = _manage("shell", "-c", READ, **env)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {
                "EMAIL_URL": "smtp+tls://digest:s3cret@mail.example.go.jp:587",
                "DEFAULT_FROM_EMAIL": "tracker@example.go.jp",
            },
            {
                "EMAIL_BACKEND": SMTP,
                "EMAIL_HOST": "mail.example.go.jp",
                "EMAIL_PORT": 587,
                "EMAIL_HOST_USER": "digest",
                "EMAIL_HOST_PASSWORD": "s3cret",
                "EMAIL_USE_TLS": True,
                "DEFAULT_FROM_EMAIL": "tracker@example.go.jp",
            },
        ),
        (
            {"EMAIL_HOST": "mail.internal", "EMAIL_PORT": "465", "EMAIL_USE_SSL": "true"},
            {"EMAIL_BACKEND": SMTP, "EMAIL_HOST": "mail.internal", "EMAIL_PORT": 465, "EMAIL_USE_SSL": True},
        ),
        # Production with nothing set: the local SMTP server; the links on the one allowed host.
        ({}, {"EMAIL_BACKEND": SMTP, "EMAIL_HOST": "localhost", "SITE_URL": "https://tracker.example.go.jp"}),
        # The quick start (.env with DEBUG=true): emails on the console.
        (
            {"DEBUG": "true", "ALLOWED_HOSTS": ""},
            {
                "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
                "SITE_URL": "http://127.0.0.1:8000",
            },
        ),
        (
            {"SITE_URL": "https://projects.mlit.go.jp/tracker/"},
            {"SITE_URL": "https://projects.mlit.go.jp/tracker"},
        ),
    ],
)
def test_email_and_site_url_from_the_environment(env, expected):
    values = _settings(**env)

    assert {key: values[key] for key in expected} == expected


def test_check_deploy_fails_when_no_site_url_can_be_told():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", ALLOWED_HOSTS=".example.go.jp")

    assert result.returncode != 0
    assert "digests.E001" in result.stdout + result.stderr
