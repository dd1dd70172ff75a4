"""An administrator registers a webhook endpoint in a real browser (Debian's Chromium via
Playwright): an internal address is refused with a field error, a permitted one is saved and
its secret shown; and a user sets their digest's language on their own preference page. At a
desk width and a phone width, in Japanese and English, with no console error or CSP violation."""

import pytest
from django.urls import reverse

from accounts.roles import ADMINISTRATOR
from digests.models import Preference
from tests.browser import ARTIFACTS, _chromium, _playwright, log_in, open_page
from tests.factories import UserFactory
from webhooks.models import Endpoint


@pytest.fixture
def browser_settings(settings):
    """Plain HTTP for the live server, and the administrator made before Playwright's event loop
    runs (the ORM refuses to work inside it)."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    user = UserFactory(username="chief", role=ADMINISTRATOR, first_name="Jiro", last_name="Sato")
    return settings, user


@pytest.mark.e2e
@pytest.mark.parametrize(("language", "width"), [("ja", 1440), ("en", 1440), ("ja", 390), ("en", 390)])
def test_register_an_endpoint_and_choose_the_digest_language(live_server, browser_settings, language, width):
    settings, user = browser_settings
    sync_playwright, expect = _playwright()
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    name = f"{width}_{language}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(_chromium()), headless=True)
        try:
            page = open_page(browser, live_server, language=language, width=width, problems=problems)
            log_in(page, live_server, "chief", next_url=reverse("admin:webhooks_endpoint_add"))
            page.fill("#id_url", "https://127.0.0.1/hooks/tracker")
            page.fill("#id_description", "Partner system")
            page.locator("#id_events input[value='development.added']").check()
            page.locator("input[name=_save]").click()
            page.wait_for_load_state()
            expect(page.locator(".errorlist")).to_have_count(1)
            page.screenshot(path=str(ARTIFACTS / f"webhook_refused_{name}.png"), full_page=True)

            settings.WEBHOOKS_ALLOW_PRIVATE = True  # a closed network: internal receivers allowed
            page.locator("input[name=_continue]").click()
            page.wait_for_load_state()
            expect(page.locator(".errorlist")).to_have_count(0)
            secret = page.locator(".field-secret .readonly").inner_text().strip()
            page.screenshot(path=str(ARTIFACTS / f"webhook_saved_{name}.png"), full_page=True)

            page.goto(live_server.url + reverse("admin:digests_preference_changelist"))
            page.select_option("#id_language", "en")
            page.locator("input[name=_save]").click()
            page.wait_for_load_state()
            page.screenshot(path=str(ARTIFACTS / f"digest_preference_{name}.png"), full_page=True)
        finally:
            browser.close()
    endpoint = Endpoint.objects.get()
    assert endpoint.url == "https://127.0.0.1/hooks/tracker" and endpoint.secret == secret
    assert Preference.objects.get(user=user).language == "en"
    assert problems == []
