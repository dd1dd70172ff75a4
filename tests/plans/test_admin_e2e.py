"""The yearly workflow in a real browser (Debian's Chromium via Playwright): an editor starts
the draft, removes a project as won, adds one, moves one; an administrator publishes it. At a
desk width and a phone width, in Japanese and English. Screenshots go to artifacts/."""

import pytest
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, EDITOR
from plans.models import Edition
from projects.models import Project
from tests.browser import ARTIFACTS, PASSWORD, _chromium, _playwright
from tests.factories import UserFactory


def _log_in(browser, username, language, width, live_server):
    context = browser.new_context(locale="ja-JP", viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    return page


@pytest.mark.e2e
@pytest.mark.parametrize(("language", "width"), [("ja", 1440), ("en", 1440), ("ja", 390), ("en", 390)])
def test_a_year_in_the_admin(plan_data, live_server, settings, language, width):
    chromium = _chromium()
    sync_playwright, expect = _playwright()
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    UserFactory(username="desk-officer", role=EDITOR)
    UserFactory(username="chief", role=ADMINISTRATOR)
    country = Project.objects.get(number=1).country
    newcomer = Project.objects.create(number=900, name="新規ブラウザ試験事業", country=country)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = lambda page, name, full=True: page.screenshot(  # noqa: E731
        path=str(ARTIFACTS / f"editions_{name}_{width}_{language}.png"), full_page=full
    )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            page = _log_in(browser, "desk-officer", language, width, live_server)
            page.goto(live_server.url + reverse("admin:plans_edition_changelist"))
            shot(page, "changelist")
            page.locator("form.start-edition button").click()
            expect(page.locator("#edition-rows")).to_be_visible()
            expect(page.locator("#edition-rows tr[id^=row-]")).to_have_count(93)

            # Remove project 25 as won, with a note.
            row = page.locator("#row-25")
            row.locator("details.remove summary").click()
            row.locator("select[name=reason]").select_option("won")
            row.locator("input[name=note]").fill("本邦企業が受注（試験）")
            row.locator("details.remove button").click()
            expect(page.locator("ul.messagelist li.success")).to_be_visible()
            expect(page.locator("#row-25")).to_have_count(0)

            # Add a project at the top of heading 1.
            page.select_option("#add-project select[name=project]", str(newcomer.pk))
            page.select_option("#add-project select[name=heading]", "1")
            page.fill("#add-project input[name=position]", "1")
            page.locator("#add-project button").click()
            expect(page.locator("#row-900 .new-mark")).to_be_visible()

            # Move project 2 up.
            page.locator("#row-2 button[value=up]").click()
            expect(page.locator("ul.messagelist li.success")).to_be_visible()
            shot(page, "draft", full=False)
            page.locator("#row-900").scroll_into_view_if_needed()
            page.locator("#row-900 details.developments summary").click()
            shot(page, "draft_row", full=False)
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            page.context.close()

            admin = _log_in(browser, "chief", language, width, live_server)
            admin.goto(live_server.url + reverse("admin:plans_edition_list", args=[2024]))
            admin.locator("#publish-link").click()
            shot(admin, "publish")
            admin.locator("#publish-form input[type=submit]").click()
            expect(admin.locator("ul.messagelist li.success")).to_be_visible()
            expect(admin.locator("#add-project")).to_have_count(0)
            admin.goto(live_server.url + reverse("admin:plans_edition_compare") + "?one=2024&other=2023")
            shot(admin, "compare")
        finally:
            browser.close()

    edition = Edition.objects.get(year=2024)
    assert edition.state == "published"
    assert edition.listings.count() == 93
    assert edition.listings.get(project=newcomer).is_new
    assert edition.removals.get(project__number=25).reason == "won"
    assert widths[0] <= widths[1] + 1, widths
