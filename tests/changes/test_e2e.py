"""In a real browser: an editor changes a project's status on its admin page, opens the change
log, filters it by the project's country and finds the change. At a desk width and a phone
width, in Japanese and English; screenshots in artifacts/, no console errors or CSP reports."""

import pytest
from django.urls import reverse

from accounts.roles import EDITOR
from projects.models import Project, Status
from tests.browser import ARTIFACTS, _chromium, _playwright, log_in, open_page
from tests.factories import UserFactory


@pytest.mark.e2e
@pytest.mark.parametrize(("language", "width"), [("ja", 1440), ("en", 1440), ("ja", 390), ("en", 390)])
def test_an_editors_status_change_is_in_the_change_log(plan_data, live_server, settings, language, width):
    chromium = _chromium()
    sync_playwright, expect = _playwright()
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    UserFactory(username="desk-officer", role=EDITOR)
    project = Project.objects.exclude(status=Status.PREPARATION).order_by("number").first()
    iso_code = project.country.iso_code  # read here: the browser's loop is async
    ARTIFACTS.mkdir(exist_ok=True)
    note = "ブラウザ試験の変更"
    problems = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            page = open_page(browser, live_server, language=language, width=width, problems=problems)
            log_in(page, live_server, "desk-officer")

            page.goto(live_server.url + reverse("admin:projects_project_change", args=[project.pk]))
            page.select_option("#id_new_status", Status.PREPARATION)
            page.fill("#id_status_note", note)
            page.locator("input[name=_continue]").first.click()
            expect(page.locator("ul.messagelist li.success")).to_be_visible()

            # From the admin's index to the change log, then its country filter.
            page.goto(live_server.url + reverse("admin:index"))
            page.locator(f"a[href='{reverse('admin:change_log')}']").first.click()
            page.screenshot(path=str(ARTIFACTS / f"change_log_all_{width}_{language}.png"), full_page=False)
            page.select_option("#id_country", iso_code)
            page.locator(".change-log-filter button[type=submit]").click()
            entry = page.locator("li.change-log-entry").first
            expect(entry).to_contain_text(str(project.number))
            expect(entry).to_contain_text("desk-officer")
            expect(
                entry.locator(f"a[href='{reverse('admin:projects_project_change', args=[project.pk])}']")
            ).to_be_visible()
            assert page.locator("li.change-log-entry[data-kind=status_changed]").count() == 1
            page.screenshot(path=str(ARTIFACTS / f"change_log_{width}_{language}.png"), full_page=True)
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        finally:
            browser.close()

    assert problems == []
    assert widths[0] <= widths[1], widths
