"""The browser tests' set-up: Debian's Chromium driven by Playwright, screenshots in artifacts/."""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

PASSWORD = "correct-horse-battery-staple"  # UserFactory's


ARTIFACTS = Path(django_settings.BASE_DIR) / "artifacts"


def _chromium() -> Path:
    path = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    if not path.exists():
        pytest.fail(
            f"Chromium not found at {path}. Install Debian's package "
            "(`apt-get update && apt-get install -y chromium`) or set CHROMIUM_PATH.",
            pytrace=False,
        )
    return path


def _playwright():
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: `pip install -r requirements-dev.txt`.", pytrace=False)
    return sync_playwright, expect


def watch(page, problems: list) -> None:
    """Append to `problems` what a reader must never meet on `page`: console errors (the
    browser's CSP refusals among them), uncaught script errors and answers of 400 or more."""
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(f"{message.text} {message.location}"),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda response: response.status >= 400 and problems.append(f"{response.status} {response.url}"),
    )


def open_page(browser, live_server, *, language: str, width: int, problems: list):
    """A new page at `width` px (900 high) reading the site in `language` (its cookie), watched
    for problems (`watch`)."""
    context = browser.new_context(locale="ja-JP", viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch(page, problems)
    return page


def log_in(page, live_server, username: str, *, next_url: str = "") -> None:
    """Through the admin's login form (UserFactory's password), then to `next_url` if given."""
    from django.urls import reverse

    page.goto(live_server.url + reverse("admin:login") + (f"?next={next_url}" if next_url else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_load_state()
