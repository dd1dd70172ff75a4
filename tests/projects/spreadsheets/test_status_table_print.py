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
