"""The real data's map as a reader sees it: rendered to artifacts/ and screenshotted in Chromium.

The front page places the map; this looks at the map alone (artifacts/map-<language>-<width>.png,
and artifacts/map.svg to open by hand), at a desktop's and a phone's width, and tabs to a country.
"""

import re

import pytest
from django.conf import settings
from django.db.models import Count
from django.utils import translation

from countries.models import Country
from portal import maps
from tests.browser import ARTIFACTS, _chromium, _playwright

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not settings.MAP_SHAPES_PATH.exists(), reason="map shapes not installed: run scripts/setup"
    ),
]

STATIC = settings.BASE_DIR / "portal" / "static" / "portal"


def _render(language):
    rows = Country.objects.annotate(n=Count("projects")).filter(n__gt=0)
    with translation.override(language):
        return maps.country_map(
            {c.iso_code: c.n for c in rows},
            href=lambda code: f"https://tracker.invalid/?country={code}",
            names={c.iso_code: c.name_en if language == "en" else c.name_ja for c in rows},
        )


def _page(figure, language):
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width">'
        # Stricter than the site's CSP: an inline style or script would be a console error.
        f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src file:">'
        f'<link rel="stylesheet" href="{(STATIC / "portal.css").as_uri()}">'
        f'<link rel="stylesheet" href="{(STATIC / "map.css").as_uri()}"></head>'
        f'<body><main><section class="panel">{figure}</section></main></body></html>'
    )


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_real_map_reads_well(plan_data, language):
    ARTIFACTS.mkdir(exist_ok=True)
    figure = _render(language)
    html = ARTIFACTS / f"map-{language}.html"
    html.write_text(_page(figure, language), encoding="utf-8")
    if language == "en":
        svg = re.search(r"<svg.*</svg>", figure, re.S).group(0)
        svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
        svg = svg.replace("<title", f"<style>{(STATIC / 'map.css').read_text()}</style><title", 1)
        (ARTIFACTS / "map.svg").write_text(svg, encoding="utf-8")

    sync_playwright, expect = _playwright()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(_chromium()), headless=True)
        try:
            errors = []
            for width in (1440, 390):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.on("console", lambda message: message.type == "error" and errors.append(message.text))
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.goto(html.as_uri())
                figure_box = page.locator("figure.country-map")
                figure_box.screenshot(path=str(ARTIFACTS / f"map-{language}-{width}.png"))
                links = page.locator("svg a")
                assert links.count() == 30
                page.keyboard.press("Tab")
                focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
                assert focused == links.first.get_attribute("aria-label")
                figure_box.screenshot(path=str(ARTIFACTS / f"map-{language}-{width}-focus.png"))
                assert errors == []
                page.close()
        finally:
            browser.close()
