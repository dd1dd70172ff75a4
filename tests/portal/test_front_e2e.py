"""The front page in a real browser (Debian's Chromium via Playwright), at a desk's and a
phone's width, in Japanese and English: screenshots in artifacts/front-<language>-<width>.png,
no console errors and no CSP violations, a bar that is a link, and the filter form applied."""

import pytest

from accounts.roles import VIEWER
from tests.browser import ARTIFACTS, _chromium, _playwright, log_in, open_page
from tests.factories import UserFactory


@pytest.mark.e2e
@pytest.mark.parametrize(("language", "width"), [("ja", 1440), ("en", 1440), ("ja", 390), ("en", 390)])
def test_the_front_page_reads_well(plan_data, live_server, settings, language, width):
    chromium = _chromium()
    sync_playwright, expect = _playwright()
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    UserFactory(username="reader", role=VIEWER)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            problems = []
            page = open_page(browser, live_server, language=language, width=width, problems=problems)
            log_in(page, live_server, "reader")  # no next: lands on the front page
            page.wait_for_url(live_server.url + "/")
            expect(page.locator(".card-total .card-number")).to_have_text("93")
            expect(page.locator("#chart-status svg a")).to_have_count(8)
            page.screenshot(path=str(ARTIFACTS / f"front-{language}-{width}.png"), full_page=True)
            if width >= 1440:  # the README's picture (docs/front-page.png): the top of the page
                page.screenshot(
                    path=str(ARTIFACTS / f"front-{language}-{width}-top.png"),
                    clip={"x": 0, "y": 0, "width": width, "height": 1650},
                    full_page=True,
                )
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], "the page scrolls sideways"

            page.select_option("select[name=region]", "south-asia")
            page.locator(".filter-actions button").click()
            page.wait_for_url("**region=south-asia**")
            total = int(page.locator(".card-total .card-number").inner_text())
            assert 0 < total < 93
            page.screenshot(path=str(ARTIFACTS / f"front-{language}-{width}-filtered.png"), full_page=False)

            # The map: one link per country of the table, focusable, opening that country's list.
            countries = page.locator(".country-table tbody tr").count()
            expect(page.locator(".country-map-country")).to_have_count(countries)
            first = page.locator(".country-map-country").first
            first.focus()
            page.screenshot(path=str(ARTIFACTS / f"front-{language}-{width}-map.png"), full_page=False)
            label = first.get_attribute("aria-label")
            first.click()
            page.wait_for_url("**/admin/projects/project/**")
            listed = page.locator("#result_list tbody tr").count()
            assert str(listed) in label, (label, listed)
            page.go_back()

            # Save the filtered page as the default view: `/` opens with it.
            page.fill("#savedfilters-name", "South Asia")
            page.check("input[name=is_default]")
            page.locator(".savedfilters-save button").click()
            expect(page.locator(".messages .message")).to_be_visible()
            page.goto(live_server.url + "/")
            expect(page.locator(".card-total .card-number")).to_have_text(str(total))
            page.screenshot(path=str(ARTIFACTS / f"front-{language}-{width}-saved.png"), full_page=False)

            page.locator("#chart-status svg a").first.click()
            page.wait_for_url("**/admin/projects/project/**")
            assert problems == []
        finally:
            browser.close()
