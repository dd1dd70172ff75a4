"""The printed status table: its title and filter on every page, and page numbers."""

import re
import subprocess
from urllib.parse import quote

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import EDITOR
from countries.models import Country
from tests.browser import ARTIFACTS, PASSWORD, _chromium, _playwright
from tests.factories import UserFactory

TITLE = "我が国企業による受注を目指す主要プロジェクトの概要及び進捗状況"


@pytest.fixture
def editor():
    return UserFactory(role=EDITOR)


def test_api_table_names_its_filters_in_every_groups_header(plan_data, editor):
    client = APIClient()
    client.force_authenticate(editor)

    response = client.get("/api/projects/status-table/?format=html&country=vn,th&status=procurement")

    html = response.content.decode()
    assert response.status_code == 200
    running = html.count('<tr class="running">')
    assert running == html.count("<thead>") >= 2  # Vietnam's and Thailand's headings
    assert (
        html.count("フィルター: 国=ベトナム・タイ / ステータス=入札・交渉中") == running + 1
    )  # and the heading line
    assert "counter(page)" in html and "counter(pages)" in html


def test_admin_table_names_the_sidebars_choices(plan_data, client, editor):
    client.force_login(editor)
    chosen = [Country.objects.get(iso_code=code).pk for code in ("VN", "TH")]

    response = client.get(
        reverse("admin:projects_project_export", args=["status-table"]),
        {"country__id__exact": chosen, "q": "鉄道"},
    )

    html = response.content.decode()
    assert response.status_code == 200, html[:500]
    running = html.count('<tr class="running">')
    assert (
        html.count("フィルター: 国=タイ・ベトナム / 検索=鉄道") == running + 1 >= 3
    )  # as the sidebar lists them


def test_unfiltered_table_names_no_filter(plan_data, editor):
    client = APIClient()
    client.force_authenticate(editor)

    html = client.get("/api/projects/status-table/?format=html").content.decode()

    assert "フィルター" not in html
    assert html.count(TITLE) >= 23  # the page title, the heading and each group's running header


@pytest.mark.e2e
def test_printed_table_has_title_filter_and_page_number_on_every_page(
    plan_data, live_server, editor, settings
):
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    sync_playwright, _expect = _playwright()
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "status_table_vietnam.pdf"
    table = "/api/projects/status-table/?format=html&country=VN"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(_chromium()), headless=True)
        try:
            page = browser.new_page(locale="ja-JP")
            page.goto(f"{live_server.url}{reverse('admin:login')}?next={quote(table)}")
            page.fill("#id_username", editor.username)
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(f"**{table}")
            page.pdf(path=str(pdf), prefer_css_page_size=True)
        finally:
            browser.close()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = [page for page in text.stdout.split("\f") if page.strip()]
    assert len(pages) >= 2
    for number, page_text in enumerate(pages, start=1):
        assert "フィルター: 国=ベトナム" in page_text, number
        assert re.search(rf"^\s*{number}\s*/\s*{len(pages)}\s*$", page_text, re.M), number


@pytest.mark.e2e
def test_the_2023_table_and_a_2024_draft_print_on_a4_landscape(plan_data, live_server, editor, settings):
    """Screenshots and PDFs to look at (artifacts/): the published 2023 table as printed, and
    the 2024 draft with its 「（案）」 title and generated preface."""
    from plans.services import start_edition

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    start_edition(2024)
    sync_playwright, _expect = _playwright()
    ARTIFACTS.mkdir(exist_ok=True)
    tables = {
        "2023": "/api/projects/status-table/?edition=2023",
        "2024_draft": "/api/projects/status-table/?edition=2024",
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(_chromium()), headless=True)
        try:
            page = browser.new_page(
                locale="ja-JP", viewport={"width": 1123, "height": 794}
            )  # A4 landscape at 96 dpi
            page.goto(f"{live_server.url}{reverse('admin:login')}")
            page.fill("#id_username", editor.username)
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_load_state()
            for name, url in tables.items():
                page.goto(f"{live_server.url}{url}")
                page.emulate_media(media="print")
                page.screenshot(path=str(ARTIFACTS / f"status_table_{name}.png"))
                page.pdf(path=str(ARTIFACTS / f"status_table_{name}.pdf"), prefer_css_page_size=True)
                page.emulate_media(media="screen")
        finally:
            browser.close()
    for name in tables:
        text = subprocess.run(
            ["pdftotext", "-layout", str(ARTIFACTS / f"status_table_{name}.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "①ベトナム" in text
        if name == "2024_draft":
            assert "（案）" in text and "今年は 93 プロジェクトを選定した" in text
        else:
            assert "（案）" not in text and "昨年の 87 プロジェクトから" in text
