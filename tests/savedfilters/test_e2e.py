"""A viewer's saved default view in a real browser (Debian's Chromium via Playwright): filter
the admin's project list by region and sector, save the filters as the default view, open the
list fresh and land on them; "show all" shows every project. At a desk width and a phone width,
in Japanese and English, with no console error or CSP violation. Screenshots go to artifacts/."""

import pytest
from django.db.models import Q
from django.urls import reverse

from accounts.roles import VIEWER
from countries.models import Region
from projects.models import Project, Sector
from savedfilters.models import SavedFilter
from tests.browser import ARTIFACTS, _chromium, _playwright, log_in, open_page, watch
from tests.factories import UserFactory


@pytest.mark.e2e
@pytest.mark.parametrize(("language", "width"), [("ja", 1440), ("en", 1440), ("ja", 390), ("en", 390)])
def test_a_viewer_saves_a_default_view_and_lands_on_it(plan_data, live_server, settings, language, width):
    chromium = _chromium()
    sync_playwright, expect = _playwright()
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    viewer = UserFactory(username="reader", role=VIEWER)
    region, sector = Region.objects.get(code="southeast-asia"), Sector.objects.get(code="rail")
    name = lambda row: row.name_en if language == "en" else row.name_ja  # noqa: E731
    region_name, sector_name = name(region), name(sector)
    expected = Project.objects.filter(Q(country__region=region), Q(sectors=sector)).distinct().count()
    saved_name = "SE Asia rail" if language == "en" else "東南アジアの鉄道"
    changelist = live_server.url + reverse("admin:projects_project_changelist")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = lambda page, step: page.screenshot(  # noqa: E731
        path=str(ARTIFACTS / f"savedfilters_{step}_{width}_{language}.png"), full_page=True
    )
    errors = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            page = open_page(browser, live_server, language=language, width=width, problems=errors)
            log_in(page, live_server, "reader", next_url=reverse("admin:projects_project_changelist"))
            expect(page.locator("#result_list tbody tr")).to_have_count(93)

            # Filter by region, then sector, from the sidebar (its groups opened first).
            sidebar = page.locator("#changelist-filter")
            for choice in (region_name, sector_name):
                sidebar.locator("details").evaluate_all("groups => groups.forEach(g => { g.open = true; })")
                sidebar.get_by_role("link", name=choice, exact=True).first.click()
            expect(page.locator("#result_list tbody tr")).to_have_count(expected)
            expect(page.locator("#savedfilters-link")).to_have_value(page.url)

            # Save them as the default view.
            page.fill("#savedfilters-name", saved_name)
            page.locator(".savedfilters-check input").check()
            shot(page, "filtered")
            page.locator(".savedfilters-save button").click()
            expect(page.locator("ul.messagelist li.success")).to_contain_text(saved_name)
            expect(page.locator("#result_list tbody tr")).to_have_count(expected)
            page.locator(".savedfilters-menu summary").click()
            expect(page.locator(".savedfilters-menu li").first).to_contain_text(saved_name)
            shot(page, "menu")

            # A fresh visit to the bare list lands on the default view...
            fresh = page.context.new_page()
            watch(fresh, errors)
            fresh.goto(changelist)
            expect(fresh.locator("#result_list tbody tr")).to_have_count(expected)
            assert "sectors__id__exact" in fresh.url and "country__region__id__exact" in fresh.url
            shot(fresh, "landed")

            # ...and "show all" shows every project, without the admin's ?e=1 page.
            fresh.locator(".savedfilters-menu summary").click()
            fresh.locator(".savedfilters-all a").click()
            expect(fresh.locator("#result_list tbody tr")).to_have_count(93)
            assert "e=1" not in fresh.url
            widths = fresh.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            shot(fresh, "all")
        finally:
            browser.close()

    assert errors == []
    saved = SavedFilter.objects.get(owner=viewer)
    assert (saved.name, saved.query, saved.is_default) == (
        saved_name,
        "region=southeast-asia&sector=rail",
        True,
    )
    if width >= 1440:
        assert widths[0] <= widths[1]
