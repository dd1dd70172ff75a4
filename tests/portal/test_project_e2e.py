"""A project's page in a real browser (Debian's Chromium via Playwright): it reads well at a
desk width and a phone width, in Japanese and English, with no console error or CSP
violation; and every one of the real 93 projects prints on ONE A4 page."""

import subprocess

import pytest
from django.urls import reverse

from accounts.roles import EDITOR
from projects.models import Project
from tests.browser import ARTIFACTS, _chromium, _playwright, log_in, open_page
from tests.factories import UserFactory

# The longest projects of the real data: the most text (7: summary, a setback and a range) and
# the most developments (11: two ranges and an undated one; 55: three).
LONGEST = (7, 11, 55)


@pytest.fixture
def browser_settings(settings):
    """Plain HTTP for the live server, and a reader (an editor: the edit link shows) made
    before Playwright's event loop runs (the ORM refuses to work inside it)."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    UserFactory(username="reader", role=EDITOR)


def _log_in(browser, live_server, language, width, problems):
    page = open_page(browser, live_server, language=language, width=width, problems=problems)
    log_in(page, live_server, "reader")
    return page


@pytest.mark.e2e
@pytest.mark.parametrize(("language", "width"), [("ja", 1440), ("en", 1440), ("ja", 390), ("en", 390)])
def test_the_page_reads_well(plan_data, live_server, browser_settings, language, width):
    sync_playwright, expect = _playwright()
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(_chromium()), headless=True)
        try:
            page = _log_in(browser, live_server, language, width, problems)
            for number in (11, 55):
                page.goto(live_server.url + reverse("portal:project", args=[number]))
                expect(page.locator("h1")).to_be_visible()
                page.screenshot(
                    path=str(ARTIFACTS / f"project_{number}_{width}_{language}.png"), full_page=True
                )
                widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
                assert widths[0] <= widths[1] + 1, (number, widths)
            heading = page.locator("h1").inner_text()
            edit = page.locator(".project-links a.edit")
            expect(edit).to_be_visible()
            edit.click()
            page.wait_for_url("**/admin/projects/project/*/change/")
        finally:
            browser.close()
    project = Project.objects.get(number=55)
    assert heading == (project.name_en if language == "en" else project.name)
    assert problems == []


def _pages(pdf: bytes, path) -> tuple[int, str]:
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))), text.stdout


@pytest.mark.e2e
def test_every_real_project_prints_on_one_a4_page(plan_data, live_server, browser_settings):
    sync_playwright, _expect = _playwright()
    ARTIFACTS.mkdir(exist_ok=True)
    problems, counts = [], {}
    numbers = list(Project.objects.order_by("number").values_list("number", flat=True))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(_chromium()), headless=True)
        try:
            page = _log_in(browser, live_server, "ja", 1440, problems)
            for number in numbers:
                page.goto(live_server.url + reverse("portal:project", args=[number]))
                pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
                counts[number], text = _pages(pdf, ARTIFACTS / "project_print.pdf")
                if number in LONGEST:
                    (ARTIFACTS / f"project_{number}_print.pdf").write_bytes(pdf)
                    page.emulate_media(media="print")
                    page.screenshot(path=str(ARTIFACTS / f"project_{number}_print.png"), full_page=True)
                    page.emulate_media(media="null")  # back to what page.pdf uses: print
                    assert "動き" in text and "一覧に戻る" not in text, number  # links' chrome hidden
        finally:
            browser.close()
    assert len(counts) == 93
    assert {number: count for number, count in counts.items() if count != 1} == {}
    assert problems == []
