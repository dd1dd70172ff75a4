"""The desk officer's weekly task, driven in a real browser (headless Chromium via Playwright).

Run only this with `pytest -m e2e`. It needs Debian's chromium at /usr/bin/chromium (or at
$CHROMIUM_PATH); Playwright never downloads a browser here. A missing browser is a failure,
not a skip, so CI cannot pass without having run it.
"""

import re
from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import EDITOR
from projects.models import DatePrecision, Project, Status
from tests.browser import ARTIFACTS, PASSWORD, _chromium, _playwright
from tests.factories import UserFactory


@pytest.mark.e2e
def test_editor_records_a_development_and_a_status_change(plan_data, live_server, settings):
    chromium = _chromium()
    sync_playwright, expect = _playwright()
    # The live server speaks plain HTTP.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    # All ORM work happens outside the Playwright block: its event loop would make Django
    # refuse synchronous queries from this thread.
    UserFactory(username="desk-officer", role=EDITOR)
    project = Project.objects.select_related("country").get(number=1)
    country = project.country
    in_country = Project.objects.filter(country=country).count()
    existing = project.developments.count()
    development_text = "2024年3月、L/A 締結（ブラウザ試験）"
    status_note = "大使館報告による（ブラウザ試験）"
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "admin_e2e_history.png"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            page = browser.new_page(locale="ja-JP", viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(15_000)

            page.goto(live_server.url + reverse("admin:projects_project_changelist"))
            page.fill("#id_username", "desk-officer")
            page.fill("#id_password", PASSWORD)
            page.locator("#login-form [type=submit]").click()
            expect(page.locator("#result_list")).to_be_visible()

            # Filter the list to one country from the sidebar (its group opens first).
            countries = page.locator('#changelist-filter details[data-filter-title="国"]')
            countries.locator("summary").click()
            countries.get_by_role("link", name=country.name_ja, exact=True).click()
            expect(page.locator("#result_list tbody tr")).to_have_count(in_country)
            expect(page.locator("#result_list tbody td.field-country")).to_have_text(
                [country.name_ja] * in_country
            )
            page.screenshot(path=str(ARTIFACTS / "admin_e2e_list.png"), full_page=True)

            # Open the project.
            page.locator("#result_list").get_by_role("link", name=project.name, exact=True).click()
            expect(page.locator("#project_form")).to_be_visible()

            # Add a development in the empty row the inline offers.
            new_row = f"#id_developments-{existing}"  # the empty row after the existing ones
            page.select_option(f"{new_row}-kind", "agreement")
            page.fill(f"{new_row}-text", development_text)
            page.fill(f"{new_row}-when", "２０２４－０３")  # full width, month only
            page.fill(f"{new_row}-source", "在ベトナム大使館")

            # Change the status in the same save.
            page.select_option("#id_new_status", Status.PREPARATION)
            page.fill("#id_status_effective_on", "2024-03-15")
            page.fill("#id_status_note", status_note)
            page.locator("input[name=_continue]").first.click()

            expect(page.locator("ul.messagelist li.success")).to_be_visible()
            expect(page.locator("#developments-group")).to_contain_text(development_text)
            expect(page.locator("#developments-group input[value='2024-03']").first).to_be_visible()
            expect(page.locator("#status_changes-group")).to_contain_text(status_note)
            page.screenshot(path=str(ARTIFACTS / "admin_e2e_project.png"), full_page=True)

            # And both are in the project's history.
            page.locator("a.historylink").click()
            trail = page.locator("#change-history")
            expect(trail).to_contain_text(development_text)
            expect(trail).to_contain_text(status_note)
            expect(trail).to_contain_text("desk-officer")
            page.screenshot(path=str(screenshot), full_page=True)

            # The language switch in the header turns the admin to English and back.
            page.select_option("#language-switch select", "en")
            page.locator("#language-switch button").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.locator("#change-history")).to_contain_text(status_note)
            page.select_option("#language-switch select", "ja")
            page.locator("#language-switch button").click()
            expect(page.locator("html")).to_have_attribute("lang", "ja")
        finally:
            browser.close()

    print(f"\nscreenshot: {screenshot}")
    project.refresh_from_db()
    assert project.status == Status.PREPARATION
    development = project.developments.order_by("-sequence").first()
    assert (development.text, development.date_precision) == (development_text, DatePrecision.MONTH)
    assert development.recorded_by.username == "desk-officer"
    assert project.status_changes.order_by("-sequence").first().note == status_note


# Two officers on one project, in two browsers


def _log_in(browser, username, *, language, width, live_server, expect):
    context = browser.new_context(locale="ja-JP", viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("header.site .brand")).to_be_visible()  # logged in: the front page
    return page


CASES = [
    # (what both officers do, who saves first, language, viewport width)
    ("development", "sato", "ja", 1440),
    ("development", "suzuki", "en", 390),
    ("status", "sato", "en", 1440),
    ("status", "suzuki", "ja", 390),
]


@pytest.mark.e2e
@pytest.mark.parametrize(("subject", "first", "language", "width"), CASES)
def test_two_officers_save_one_project(plan_data, live_server, settings, subject, first, language, width):
    chromium = _chromium()
    sync_playwright, expect = _playwright()
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    for username in ("sato", "suzuki"):
        UserFactory(username=username, role=EDITOR)
    project = Project.objects.get(number=1)
    url = live_server.url + reverse("admin:projects_project_change", args=[project.pk])
    existing = project.developments.count()
    second = "suzuki" if first == "sato" else "sato"
    typed = {first: "2024-03", second: "令和6年3月"}
    statuses = {first: Status.PREPARATION, second: Status.SUSPENDED}
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"admin_e2e_two_officers_{subject}_{language}_{width}"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            pages = {}
            for username in (second, first):  # the one who saves second opened the page first
                pages[username] = _log_in(
                    browser, username, language=language, width=width, live_server=live_server, expect=expect
                )
                pages[username].goto(url)
                expect(pages[username].locator("#project_form")).to_be_visible()

            def fill(username):
                page = pages[username]
                if subject == "development":
                    row = f"#id_developments-{existing}"
                    page.select_option(f"{row}-kind", "agreement")
                    page.fill(f"{row}-text", f"{username}の動き（ブラウザ試験）")
                    page.fill(f"{row}-when", typed[username])
                else:
                    page.select_option("#id_new_status", statuses[username])
                    page.fill("#id_status_effective_on", typed[username])
                    page.fill("#id_status_note", f"{username}のメモ（ブラウザ試験）")
                page.locator("input[name=_continue]").first.click()

            fill(first)
            expect(pages[first].locator("ul.messagelist li.success")).to_be_visible()

            page = pages[second]
            fill(second)
            if subject == "development":
                # A new development never conflicts: saved at once, with who saved before.
                expect(page.locator("ul.messagelist li.info")).to_contain_text(
                    re.compile(first, re.IGNORECASE)
                )
                expect(page.locator("#developments-group")).to_contain_text(f"{first}の動き")
                expect(page.locator("#developments-group")).to_contain_text(f"{second}の動き")
                page.screenshot(path=f"{shot}.png", full_page=True)
            else:
                # Both changed the status: a real conflict, shown with the colleague's change.
                expect(page.locator("#edit-conflict h2")).to_contain_text(re.compile(first, re.IGNORECASE))
                expect(page.locator("#edit-conflict")).to_contain_text(f"{first}のメモ")
                expect(page.locator(".errornote")).to_be_visible()
                expect(page.locator("#id_status_note")).to_have_value(f"{second}のメモ（ブラウザ試験）")
                expect(page.locator("#id_status_effective_on")).to_have_value(typed[second])
                # The page scrolled to the first message, beside the status field.
                expect(page.locator(".field-new_status .errorlist")).to_be_in_viewport()
                expect(page.locator(".field-new_status .errorlist li")).to_have_count(1)
                page.screenshot(path=f"{shot}_refused.png", full_page=True)
                page.screenshot(path=f"{shot}_refused_viewport.png")
                page.locator("input[name=_continue]").first.click()
                expect(page.locator("ul.messagelist li.success")).to_be_visible()
                expect(page.locator("#status_changes-group")).to_contain_text(f"{second}のメモ")
                page.screenshot(path=f"{shot}.png", full_page=True)
        finally:
            browser.close()

    project.refresh_from_db()
    if subject == "development":
        rows = list(
            project.developments.order_by("-sequence").values_list("text", "date", "date_precision")[:2]
        )
        assert [text for text, _date, _precision in rows] == [
            f"{second}の動き（ブラウザ試験）",
            f"{first}の動き（ブラウザ試験）",
        ]
        assert {(d, p) for _text, d, p in rows} == {(date(2024, 3, 1), DatePrecision.MONTH)}
    else:
        changes = list(project.status_changes.order_by("-sequence")[:2])
        assert [(c.status, c.note, c.recorded_by.username) for c in changes] == [
            (statuses[second], f"{second}のメモ（ブラウザ試験）", second),
            (statuses[first], f"{first}のメモ（ブラウザ試験）", first),
        ]
        assert project.status == statuses[second]
