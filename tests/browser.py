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
