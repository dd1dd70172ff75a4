"""The feed subscriptions page in a real browser, at a desk's and a phone's width, in Japanese
and English: a reader creates a key, the feed URL it shows opens, the key is revoked.
Screenshots in artifacts/feeds-<language>-<width>*.png; no console errors, CSP refusals or 4xx."""

import pytest

from accounts.roles import VIEWER
from tests.browser import ARTIFACTS, _chromium, _playwright, log_in, open_page
from tests.factories import UserFactory


@pytest.mark.e2e
@pytest.mark.parametrize(("language", "width"), [("ja", 1440), ("en", 1440), ("ja", 390), ("en", 390)])
def test_a_reader_subscribes_and_revokes(portfolio, live_server, settings, language, width):
    chromium = _chromium()
    sync_playwright, expect = _playwright()
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    UserFactory(username="reader", role=VIEWER)
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            page = open_page(browser, live_server, language=language, width=width, problems=problems)
            log_in(page, live_server, "reader", next_url="/?country=BD")
            page.locator(".feeds-link a").click()
            page.wait_for_url("**/feeds/?country=BD")
            page.screenshot(path=str(ARTIFACTS / f"feeds-{language}-{width}.png"), full_page=True)

            page.locator(".feeds-create button").click()
            expect(page.locator(".feeds-new")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / f"feeds-{language}-{width}-created.png"), full_page=True)
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], "the page scrolls sideways"
            url = page.locator(f".feeds-url-developments >> nth={0 if language == 'ja' else 1}").input_value()
            assert f"lang={language}" in url
            atom = page.request.get(url)
            assert atom.status == 200 and "<feed" in atom.text()

            page.locator(".feeds-revoke").click()
            expect(page.locator(".messages .message")).to_be_visible()
            expect(page.locator(".feeds-revoke")).to_have_count(0)
            page.screenshot(path=str(ARTIFACTS / f"feeds-{language}-{width}-revoked.png"), full_page=True)
            assert page.request.get(url).status == 404
            assert problems == []
        finally:
            browser.close()
