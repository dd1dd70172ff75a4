"""Watching in a real browser (Debian's Chromium via Playwright): a viewer stars a project on
its page, finds it on "My watches" from the menu, adds a country there, sees the star in the
admin's list and removes the project;
at a desk width and a phone width, in Japanese and English, with no console error or CSP
violation, and no sideways scrolling."""

import pytest
from django.urls import reverse

from accounts.roles import VIEWER
from projects.models import Project
from tests.browser import ARTIFACTS, _chromium, _playwright, log_in, open_page
from tests.factories import UserFactory
from watches.models import Watch

NUMBER = 11


@pytest.fixture
def browser_settings(settings):
    """Plain HTTP for the live server, and a viewer made before Playwright's event loop runs
    (the ORM refuses to work inside it)."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    return UserFactory(username="reader", role=VIEWER, first_name="Hanako", last_name="Yamada")


def _fits(page):
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1] + 1, widths


@pytest.mark.e2e
@pytest.mark.parametrize(("language", "width"), [("ja", 1440), ("en", 1440), ("ja", 390), ("en", 390)])
def test_star_a_project_and_keep_my_watches(plan_data, live_server, browser_settings, language, width):
    sync_playwright, expect = _playwright()
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    project = Project.objects.get(number=NUMBER)
    country = project.country
    name = f"{width}_{language}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(_chromium()), headless=True)
        try:
            page = open_page(browser, live_server, language=language, width=width, problems=problems)
            log_in(page, live_server, "reader", next_url=reverse("portal:project", args=[NUMBER]))
            star = page.locator(".watch-toggle .watch-star")
            expect(star).to_have_attribute("aria-pressed", "false")
            star.click()
            page.wait_for_load_state()
            expect(page.locator(".watch-toggle .watch-star")).to_have_attribute("aria-pressed", "true")
            expect(page.locator(".message")).to_contain_text(f"No. {NUMBER}")
            _fits(page)
            page.screenshot(path=str(ARTIFACTS / f"watch_star_{name}.png"), full_page=True)

            page.locator("header.site nav a[href='/watches/']").click()
            page.wait_for_url("**/watches/")
            expect(page.locator(".watch-group")).to_have_count(1)
            page.select_option("#watch-target", f"country:{country.iso_code}")
            page.locator(".watch-add button").click()
            page.wait_for_load_state()
            expect(page.locator(".watch-group")).to_have_count(2)
            _fits(page)
            page.screenshot(path=str(ARTIFACTS / f"watch_list_{name}.png"), full_page=True)

            page.goto(live_server.url + reverse("admin:projects_project_changelist"))
            expect(page.locator(f"#result_list .watch-star[value='{NUMBER}']")).to_have_attribute(
                "aria-pressed", "true"
            )
            page.screenshot(path=str(ARTIFACTS / f"watch_admin_list_{name}.png"))
            page.goto(live_server.url + reverse("watches:index"))

            page.locator("#group-project").locator("xpath=..").locator("button.remove").click()
            page.wait_for_load_state()
            expect(page.locator(".watch-group")).to_have_count(1)
            heading = page.locator("h1").inner_text()
        finally:
            browser.close()
    assert heading == ("My watches" if language == "en" else "ウォッチ一覧")
    assert [watch.country for watch in Watch.objects.filter(user=browser_settings)] == [country]
    assert problems == []
