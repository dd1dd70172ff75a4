"""Getting in and out, in a real browser (headless Chromium via Playwright): a link to the
status table opened without a session, log out in the browsable API, and the lockout page.

Run only these with `pytest -m e2e`; see tests/projects/admin/test_e2e.py for the browser set-up.
"""

from contextlib import contextmanager

import pytest
from django.urls import reverse

from accounts.roles import EDITOR, VIEWER
from tests.browser import ARTIFACTS, PASSWORD, _chromium, _playwright
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def browser(live_server, settings):
    """A context manager running one headless Chromium; it gives a function opening a page
    (viewport, language), Playwright's `expect`, and the list of script errors and content security
    policy violations. Do ORM work before entering it: its
    event loop makes Django refuse synchronous queries in this thread."""
    chromium = _chromium()
    sync_playwright, expect = _playwright()
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain HTTP
    ARTIFACTS.mkdir(exist_ok=True)

    @contextmanager
    def running():
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=str(chromium), headless=True)
            errors = []

            def open_page(size="desktop", language="ja"):
                context = instance.new_context(locale=f"{language}-JP", viewport=SIZES[size])
                if language != "ja":
                    context.add_cookies(
                        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
                    )
                page = context.new_page()
                page.set_default_timeout(15_000)
                page.on(
                    "console",
                    lambda message: "Content Security Policy" in message.text and errors.append(message.text),
                )
                page.on("pageerror", lambda error: errors.append(str(error)))
                return page

            try:
                yield open_page, expect, errors
            finally:
                instance.close()

    return running


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_link_to_the_status_table_lands_on_login_and_comes_back(plan_data, live_server, browser, size):
    UserFactory(username="viewer", role=VIEWER)
    link = live_server.url + "/api/projects/status-table/?format=html&country=VN"
    with browser() as (open_page, expect, errors):
        page = open_page(size)
        _status_table_round_trip(page, expect, link, size)
        assert errors == []


def _status_table_round_trip(page, expect, link, size):

    page.goto(link)
    expect(page.locator("#login-form")).to_be_visible()
    assert "/admin/login/?next=" in page.url
    page.screenshot(path=str(ARTIFACTS / f"auth_e2e_login_{size}.png"), full_page=True)
    page.fill("#id_username", "viewer")
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()

    page.wait_for_url(link)
    expect(page.locator("table")).to_contain_text("ベトナム")
    page.screenshot(path=str(ARTIFACTS / f"auth_e2e_status_table_{size}.png"), full_page=True)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_log_out_in_the_browsable_api(plan_data, live_server, browser, language):
    UserFactory(username="desk-officer", role=EDITOR)
    with browser() as (open_page, expect, errors):
        _log_in_and_out(open_page("desktop", language), expect, live_server, language)
        assert errors == []


def _log_in_and_out(page, expect, live_server, language):

    page.goto(live_server.url + "/api/projects/")
    page.fill("#id_username", "desk-officer")
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(live_server.url + "/api/projects/")
    expect(page.locator(".navbar")).to_contain_text("desk-officer")
    expect(page).to_have_title(
        "案件 | 海外インフラ案件トラッカー API"
        if language == "ja"
        else "Projects | Overseas Infrastructure Tracker API"
    )
    page.screenshot(path=str(ARTIFACTS / f"auth_e2e_browsable_api_{language}.png"))

    page.locator("#logout-form button").click()

    # Logged out: the page asks for a login again, and the API no longer answers this browser.
    expect(page.locator("#login-form")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"auth_e2e_logged_out_{language}.png"))
    response = page.request.get(live_server.url + "/api/projects/", headers={"Accept": "application/json"})
    assert response.status == 401


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_lockout_page_is_in_japanese_and_says_for_how_long(db, live_server, browser, settings, size):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="admin-officer", role=EDITOR)
    with browser() as (open_page, expect, _errors):
        _lock_out(open_page(size), expect, live_server, size)


def _lock_out(page, expect, live_server, size):

    page.goto(live_server.url + reverse("admin:login"))
    for _ in range(3):
        page.fill("#id_username", "admin-officer")
        page.fill("#id_password", "wrong password")
        page.locator("#login-form [type=submit]").click()
        page.wait_for_load_state()

    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("h1")).to_have_text("ログインの失敗が多すぎます")
    expect(page.locator(".errornote")).to_contain_text("15 分間ロックされています")
    expect(page.locator("#site-name")).to_contain_text("海外インフラ案件トラッカー")
    page.screenshot(path=str(ARTIFACTS / f"auth_e2e_lockout_{size}.png"), full_page=True)
    # The page fits the screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
