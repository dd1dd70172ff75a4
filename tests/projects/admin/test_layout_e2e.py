"""The project list and page as a desk officer sees them, in a real browser: everything fits a
1366–1440 px screen without sideways scrolling, a phone shows number, name and status, English
mode names projects in English, and the list's search and multi-value filters work.

Screenshots go to artifacts/ (git-ignored). Like tests/projects/admin/test_e2e.py it needs Debian's
Chromium; Japanese text needs a CJK font (fonts-noto-cjk) to be readable in the screenshots.
"""

import pytest
from django.urls import reverse

from accounts.roles import EDITOR
from projects.admin.projects import ProjectAdmin
from projects.models import Project
from tests.browser import ARTIFACTS, PASSWORD, _chromium, _playwright
from tests.factories import UserFactory

LIST_COLUMNS = ProjectAdmin.list_display

# Widths of the page and of the list's table against their boxes.
WIDTHS = """() => {
    const table = document.querySelector('#result_list');
    const box = document.querySelector('#changelist-form .results');
    return {
        page: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
        table: table ? table.scrollWidth : null,
        box: box ? box.clientWidth : null,
    };
}"""


def _column_boxes(page):
    """The on-screen box of each list column's header: null when it is not displayed."""
    return page.evaluate(
        """(columns) => Object.fromEntries(columns.map(name => {
            const th = document.querySelector('#result_list th.column-' + name);
            const box = th && th.getClientRects().length ? th.getBoundingClientRect() : null;
            return [name, box && {left: box.left, right: box.right, width: box.width}];
        }))""",
        LIST_COLUMNS,
    )


def _log_in(page, url):
    page.goto(url)
    page.fill("#id_username", "desk-officer")
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()


def _switch_language(page, code):
    page.select_option("#language-switch select", code)
    page.locator("#language-switch button").click()
    page.wait_for_selector(f"html[lang={code}]")


def _assert_fits(widths):
    assert widths["page"] <= widths["viewport"], widths
    if widths["table"] is not None:
        assert widths["table"] <= widths["box"], widths


@pytest.mark.e2e
def test_list_and_project_page_fit_a_desk_screen_in_both_languages(plan_data, live_server, settings):
    chromium = _chromium()
    sync_playwright, expect = _playwright()
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    UserFactory(username="desk-officer", role=EDITOR)
    project = Project.objects.get(number=7)  # two developments, long texts
    vietnam = Project.objects.filter(country__iso_code="VN").count()
    vietnam_or_thailand = Project.objects.filter(country__iso_code__in=["VN", "TH"]).count()
    first = Project.objects.get(number=1)
    changelist = live_server.url + reverse("admin:projects_project_changelist")
    change = live_server.url + reverse("admin:projects_project_change", args=[project.pk])
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            page = browser.new_page(locale="ja-JP", viewport={"width": 1440, "height": 900})
            page.set_default_timeout(15_000)
            _log_in(page, changelist)
            expect(page.locator("#result_list")).to_be_visible()

            for language in ("ja", "en"):
                if language == "en":
                    _switch_language(page, "en")
                for width in (1440, 1366):
                    page.set_viewport_size({"width": width, "height": 900})
                    page.goto(changelist)
                    _assert_fits(page.evaluate(WIDTHS))
                    # Every column is on screen, none squeezed to a sliver.
                    for name, box in _column_boxes(page).items():
                        assert box is not None and box["right"] <= width and box["width"] >= 30, (name, box)
                    page.screenshot(path=str(ARTIFACTS / f"layout_list_{width}_{language}.png"))

                page.set_viewport_size({"width": 1440, "height": 900})
                page.goto(change)
                expect(page.locator("#developments-group")).to_be_visible()
                _assert_fits(page.evaluate(WIDTHS))
                # The recorded-at column is not wrapped one character a line: one line of text.
                lines = page.evaluate(
                    """() => {
                        const cell = document.querySelector('#developments-group td.field-recorded_on p');
                        const style = getComputedStyle(cell);
                        return Math.round(cell.getBoundingClientRect().height / parseFloat(style.lineHeight));
                    }"""
                )
                assert lines == 1, lines
                page.screenshot(path=str(ARTIFACTS / f"layout_change_{language}.png"), full_page=True)

            # English mode: English names in the list and the page's heading.
            page.goto(changelist)
            expect(page.locator("#result_list")).to_contain_text(first.name_en)
            expect(page.locator("#result_list")).not_to_contain_text(first.name)
            page.goto(change)
            expect(page.locator("#content h2").first).to_have_text(f"7 {project.name_en}")
            _switch_language(page, "ja")

            # Search: a country's name finds all its projects; the plan's number forms find one.
            for query, expected in (("ベトナム", vietnam), ("No.36", 1), ("３６番", 1)):
                page.goto(changelist)
                page.fill("#searchbar", query)
                page.locator("#changelist-search [type=submit]").click()
                expect(page.locator("#result_list tbody tr")).to_have_count(expected)
            expect(page.locator("#result_list tbody .field-number")).to_have_text(["36"])

            # Several values of one filter: ベトナム, then タイ.
            page.goto(changelist)
            countries = page.locator('#changelist-filter details[data-filter-title="国"]')
            countries.locator("summary").click()
            countries.get_by_role("link", name="ベトナム", exact=True).click()
            expect(page.locator("#result_list tbody tr")).to_have_count(vietnam)
            countries.get_by_role("link", name="タイ", exact=True).click()
            expect(page.locator("#result_list tbody tr")).to_have_count(vietnam_or_thailand)
            expect(countries.locator("summary")).to_contain_text("タイ")
            expect(countries.locator("summary")).to_contain_text("ベトナム")
            page.screenshot(path=str(ARTIFACTS / "layout_list_filtered_ja.png"))
        finally:
            browser.close()


@pytest.mark.e2e
def test_a_phone_shows_number_name_and_status(plan_data, live_server, settings):
    chromium = _chromium()
    sync_playwright, expect = _playwright()
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    UserFactory(username="desk-officer", role=EDITOR)
    changelist = live_server.url + reverse("admin:projects_project_changelist")
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            page = browser.new_page(locale="ja-JP", viewport={"width": 390, "height": 844}, is_mobile=True)
            page.set_default_timeout(15_000)
            _log_in(page, changelist)
            for language in ("ja", "en"):
                if language == "en":
                    _switch_language(page, "en")
                page.goto(changelist)
                expect(page.locator("#result_list")).to_be_visible()
                _assert_fits(page.evaluate(WIDTHS))
                boxes = _column_boxes(page)
                shown = {name for name, box in boxes.items() if box is not None}
                assert shown == {"number", "display_name", "status"}, boxes
                # The name has room to be read: at least a third of the screen.
                assert boxes["display_name"]["width"] >= 130, boxes
                page.screenshot(path=str(ARTIFACTS / f"layout_phone_{language}.png"))
        finally:
            browser.close()
