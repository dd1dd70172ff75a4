"""The world map (portal/maps.py): TopoJSON decoding, the classes, and the map of the real data."""

import json
import re
from collections import Counter

import pytest
from django.conf import settings
from django.db.models import Count

from countries.models import Country
from portal import maps
from tests.factories import CountryFactory

# A topology quantized with scale 1 and translate 0, so positions are the integers written.
# Arc 0: a square's outline; arcs 1 and 2: two halves of a second square's ring, where the
# second half is stored backwards and used as ~2 (reversed); arc 3: a lone triangle.
TINY = {
    "type": "Topology",
    "transform": {"scale": [1, 1], "translate": [0, 0]},
    "arcs": [
        [[0, 0], [10, 0], [0, 10], [-10, 0], [0, -10]],
        [[20, 0], [10, 0], [0, 10]],
        [[20, 0], [0, 10], [10, 0]],  # absolute 20,0 → 20,10 → 30,10: walked backwards below
        [[40, 0], [5, 0], [-5, 5], [0, -5]],
    ],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0]], "id": "004", "properties": {"name": "Square"}},
                {
                    "type": "MultiPolygon",
                    "arcs": [[[1, ~2]], [[3]]],
                    "id": "008",
                    "properties": {"name": "Two parts"},
                },
            ],
        }
    },
}


def identity(lon, lat):
    return lon, lat


def test_decode_arcs_undoes_the_delta_encoding_and_the_transform():
    topology = dict(TINY, transform={"scale": [2, 0.5], "translate": [-10, 5]})
    arcs = maps.decode_arcs(topology)
    assert arcs[0] == [(-10, 5), (10, 5), (10, 10), (-10, 10), (-10, 5)]


def test_a_reversed_arc_is_walked_backwards_and_shared_ends_kept_once():
    arcs = maps.decode_arcs(TINY)
    assert maps.ring_points([1, ~2], arcs) == [(20, 0), (30, 0), (30, 10), (20, 10), (20, 0)]


def test_tiny_topology_gives_the_expected_paths():
    shapes = maps.build_shapes(TINY, project=identity)
    assert shapes["004"].d == "M0 0l10 0 0 10-10 0z"
    assert shapes["004"].name == "Square"
    assert shapes["004"].area == 100
    assert shapes["004"].centroid == (5, 5)
    # Both polygons of the multipolygon in one shape: one link per country.
    assert shapes["008"].d == "M20 0l10 0 0 10-10 0zM40 0l5 0-5 5z"
    assert shapes["008"].area == 100 + 12.5


def test_a_ring_across_the_180th_meridian_is_drawn_on_both_sides_without_a_line_across():
    # A square from 170°E to 170°W, stored as most TopoJSON stores it: jumping from +180 to -180.
    topology = {
        "type": "Topology",
        "arcs": [
            [[170, 0], [180, 0], [-180, 0], [-170, 0], [-170, 10], [-180, 10], [180, 10], [170, 10], [170, 0]]
        ],
        "objects": {"countries": {"geometries": [{"type": "Polygon", "arcs": [[0]], "id": "242"}]}},
    }
    d = maps.build_shapes(topology)["242"].d
    assert d.count("M") == 2
    for ring in d.split("M")[1:]:
        numbers = [int(n) for n in re.findall(r"-?\d+", ring)]
        steps = numbers[2::2]
        assert max(abs(step) for step in steps) < 100  # 20° is ~56 units; no edge spans the map


def test_rounding_drops_repeated_points_and_straight_runs():
    d, _, _ = maps.ring_path([(0, 0), (0.2, 0.1), (5, 0), (10, 0.4), (10, 10), (0, 10), (0, 0)])
    assert d == "M0 0l10 0 0 10-10 0z"


def test_a_ring_smaller_than_a_unit_draws_nothing():
    assert maps.ring_path([(0, 0), (0.3, 0), (0.3, 0.3)])[0] == ""


def test_projection_fills_the_view_box():
    assert maps.to_view(-180, 0)[0] == pytest.approx(0)
    assert maps.to_view(180, 0)[0] == pytest.approx(maps.WIDTH)
    assert maps.to_view(0, maps.NORTH)[1] == pytest.approx(0)
    assert maps.to_view(0, maps.SOUTH)[1] == pytest.approx(maps.HEIGHT, abs=0.5)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([], []),
        ([3, 3, 3], [(3, 3)]),
        ([1, 2], [(1, 1), (2, 2)]),
        ([1, 1, 1, 1, 2, 3, 5, 8, 13, 40], [(1, 1), (2, 3), (5, 8), (13, 13), (40, 40)]),
        ([1] * 18 + [2, 2, 2, 3, 3, 3, 9, 9, 9, 10, 11, 12], [(1, 1), (2, 2), (3, 3), (9, 9), (10, 12)]),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10)]),
        ([1] * 20 + [2, 30], [(1, 1), (2, 2), (30, 30)]),
    ],
)
def test_class_ranges_split_the_countries_into_contiguous_ranges(counts, expected):
    assert maps.class_ranges(counts) == expected


def test_alpha_2_codes_map_to_the_world_atlas_ids():
    assert maps.numeric_code("VN") == "704"
    assert maps.numeric_code("tw") == "158"
    assert maps.numeric_code("ZZ") is None


def test_a_missing_shapes_file_gives_a_notice_not_an_error(tmp_path):
    html = maps.country_map({"VN": 3}, href=str, names={"VN": "Vietnam"}, path=tmp_path / "none.json")
    assert 'class="country-map-missing"' in html
    assert "<svg" not in html


def test_a_damaged_shapes_file_gives_a_notice_not_an_error(tmp_path):
    damaged = tmp_path / "countries.json"
    damaged.write_text('{"type": "Topology"')
    assert "country-map-missing" in maps.country_map({"VN": 3}, href=str, names={}, path=damaged)


def test_the_tiny_map_links_shades_and_escapes(tmp_path, english):
    shapes = tmp_path / "tiny.json"
    shapes.write_text(json.dumps(TINY))
    html = maps.country_map(
        {"AF": 2, "AL": 0, "ZZ": 1},  # AF is ISO numeric 004, AL 008; ZZ is no country
        href=lambda code: f"/list/?country={code}&x=1",
        names={"AF": "<b>&"},
        path=shapes,
    )
    projected = maps.build_shapes(TINY)  # the map's own projection this time
    assert html.count("<a ") == 1
    assert (
        '<a href="/list/?country=AF&amp;x=1" class="country-map-country country-map-q1" '
        'aria-label="&lt;b&gt;&amp;: 2 projects"><title>&lt;b&gt;&amp;: 2 projects</title>'
        f'<path d="{projected["004"].d}"/></a>'
    ) in html
    assert f'class="country-map-land" d="{projected["008"].d}"' in html
    assert "<b>" not in html
    assert "<script" not in html and "style=" not in html


# --- the real shapes and the real data ---------------------------------------------------------

needs_shapes = pytest.mark.skipif(
    not settings.MAP_SHAPES_PATH.exists(), reason="map shapes not installed: run scripts/setup"
)


def _real_counts():
    rows = Country.objects.annotate(n=Count("projects")).filter(n__gt=0)
    return {c.iso_code: c.n for c in rows}, {c.iso_code: c.name_en for c in rows}


@needs_shapes
def test_every_country_of_the_real_data_has_a_shape(plan_data):
    atlas = maps.load_atlas()
    codes = Country.objects.values_list("iso_code", flat=True)
    assert len(codes) == 30
    assert maps.unmatched(codes, atlas) == []


@needs_shapes
def test_the_real_map_links_each_country_once_with_its_count(plan_data, english):
    counts, names = _real_counts()
    html = maps.country_map(counts, href=lambda code: f"/projects/?country={code}", names=names)
    links = re.findall(
        r'<a href="/projects/\?country=([A-Z]{2})"[^>]*aria-label="([^"]*)"><title>([^<]*)</title>', html
    )
    assert Counter(code for code, _, _ in links) == Counter(counts.keys())
    for code, label, title in links:
        noun = "project" if counts[code] == 1 else "projects"
        assert label == title == f"{names[code]}: {counts[code]} {noun}"
    assert sum(counts.values()) == 93
    assert "<script" not in html and "style=" not in html and " on" not in re.sub(r'"[^"]*"', "", html)
    size = len(html.encode())
    assert size < 150_000, size


@needs_shapes
def test_the_real_map_in_japanese(plan_data):
    counts, _ = _real_counts()
    names = dict(Country.objects.filter(iso_code__in=counts).values_list("iso_code", "name_ja"))
    html = maps.country_map(counts, href=lambda code: f"/p/{code}", names=names)
    assert f'aria-label="{names["VN"]}: {counts["VN"]}件"' in html
    assert "案件数" in html


@needs_shapes
def test_names_from_the_database_are_escaped(db, english):
    country = CountryFactory(iso_code="VN", name_en="<b>&")
    html = maps.country_map(
        {country.iso_code: 2}, href=lambda code: f"/p/?country={code}&a=<x>", names={"VN": country.name_en}
    )
    assert "<b>" not in html
    assert 'aria-label="&lt;b&gt;&amp;: 2 projects"' in html
    assert 'href="/p/?country=VN&amp;a=&lt;x&gt;"' in html


@needs_shapes
def test_tiny_countries_get_a_dot_to_click(db, english):
    html = maps.country_map(
        {"SG": 1, "ID": 5}, href=lambda code: f"/{code}", names={"SG": "Singapore", "ID": "Indonesia"}
    )
    singapore = html[html.index('href="/SG"') : html.index("</a>", html.index('href="/SG"'))]
    indonesia = html[html.index('href="/ID"') : html.index("</a>", html.index('href="/ID"'))]
    assert "<circle" in singapore and "<circle" not in indonesia
    assert html.index('href="/ID"') < html.index('href="/SG"')  # painted after its neighbours


@needs_shapes
def test_unknown_codes_and_zero_counts_are_left_out(db, english):
    html = maps.country_map({"ZZ": 3, "VN": 0}, href=lambda code: f"/{code}", names={})
    assert "<a " not in html
