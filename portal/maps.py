"""The front page's world map: countries shaded by their number of projects, drawn as SVG on the server.

No JavaScript: the map is one SVG in the page, so it works under the CSP, offline and in print.
Each country with projects is an SVG link (focusable, with its name and count as title and
aria-label) to the filtered project list. The shapes are Natural Earth's countries as the npm
package world-atlas packs them (TopoJSON), installed by scripts/setup (portal/fetch_shapes.py) at
settings.MAP_SHAPES_PATH; without them the map is a one-line notice and the page still works.

The TopoJSON is decoded and projected once per process and file version (`load_atlas`); a call
then only picks classes and joins strings.
"""

import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import npgettext, pgettext

logger = logging.getLogger(__name__)

# The SVG's user units: 1000 wide, coordinates rounded to integers. At the width a page shows
# the map (up to ~1200 px) that is about a screen pixel, and keeps the SVG small.
WIDTH = 1000
# The inhabited latitudes: Antarctica is left out, the far north of Greenland cropped.
NORTH, SOUTH = 84.0, -56.0
ANTARCTICA = "010"
# A country whose shape covers fewer square units than this also gets a dot to hover and click.
SMALL_AREA = 40.0
MARKER_RADIUS = 4
LEVELS = 5


def natural_earth(lon: float, lat: float) -> tuple[float, float]:
    """The Natural Earth I projection (Šavrič, Jenny, Patterson, 2011), in radians of the sphere.

    A compromise projection made for small-scale world maps: no country looks badly stretched.
    The polynomial is d3-geo's `geoNaturalEarth1Raw`.
    """
    lam, phi = math.radians(lon), math.radians(lat)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)))
    y = phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)))
    return x, y


_HALF_WIDTH = natural_earth(180.0, 0.0)[0]
_TOP = natural_earth(0.0, NORTH)[1]
_SCALE = WIDTH / (2 * _HALF_WIDTH)
HEIGHT = round((_TOP - natural_earth(0.0, SOUTH)[1]) * _SCALE)


def to_view(lon: float, lat: float) -> tuple[float, float]:
    """A longitude and latitude in the SVG's user units (y down)."""
    x, y = natural_earth(lon, lat)
    return (x + _HALF_WIDTH) * _SCALE, (_TOP - y) * _SCALE


# --- TopoJSON ---------------------------------------------------------------------------------


def decode_arcs(topology: Mapping) -> list[list[tuple[float, float]]]:
    """The topology's arcs as absolute positions: quantized arcs are delta-encoded integers."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(p[0], p[1]) for p in arc]
        arcs.append(points)
    return arcs


def ring_points(indices: Iterable[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """One ring from its arcs; a negative index ~i is arc i reversed. Shared end points are kept once."""
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        if points:
            points.pop()  # the previous arc's last point is this arc's first
        points.extend(arc)
    return points


def geometry_rings(geometry: Mapping) -> list[list[int]]:
    """The rings (as arc index lists) of a Polygon or MultiPolygon; other types have none here."""
    if geometry.get("type") == "Polygon":
        return list(geometry["arcs"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["arcs"] for ring in polygon]
    return []


# --- SVG paths --------------------------------------------------------------------------------


def ring_path(points: Iterable[tuple[float, float]]) -> tuple[str, float, tuple[float, float]]:
    """A closed ring as compact SVG path data: rounded to whole units, repeats and straight runs dropped.

    Returns the data ('' for a ring that shrinks below a triangle), its signed area and centroid.
    """
    rounded: list[tuple[int, int]] = []
    for x, y in points:
        point = (round(x), round(y))
        if not rounded or point != rounded[-1]:
            rounded.append(point)
    if len(rounded) > 1 and rounded[0] == rounded[-1]:
        rounded.pop()
    # Drop points that lie on a straight line between their neighbours, going the same way.
    kept: list[tuple[int, int]] = []
    for point in rounded:
        while len(kept) >= 2:
            (ax, ay), (bx, by) = kept[-2], kept[-1]
            ux, uy, vx, vy = bx - ax, by - ay, point[0] - bx, point[1] - by
            if ux * vy - uy * vx == 0 and ux * vx + uy * vy > 0:
                kept.pop()
            else:
                break
        kept.append(point)
    area, centroid = _area_centroid(points)
    if len(kept) < 3:
        return "", area, centroid
    (x0, y0), parts = kept[0], []
    px, py = x0, y0
    for x, y in kept[1:]:
        parts.append(f"{x - px} {y - py}")
        px, py = x, y
    return f"M{x0} {y0}l{' '.join(parts)}z".replace(" -", "-"), area, centroid


def _area_centroid(points: list[tuple[float, float]]) -> tuple[float, tuple[float, float]]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if abs(area) < 1e-9:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return 0.0, (sum(xs) / len(xs), sum(ys) / len(ys))
    return area, (cx / (6 * area), cy / (6 * area))


@dataclass(frozen=True)
class Shape:
    """One country as drawn: its path data, its size on the map and where its dot goes if it is tiny."""

    id: str
    name: str
    d: str
    area: float
    centroid: tuple[int, int]

    @property
    def small(self) -> bool:
        return self.area < SMALL_AREA


def build_shapes(topology: Mapping, project: Callable = to_view) -> dict[str, Shape]:
    """Every country of the topology, keyed by its id (ISO 3166-1 numeric) or, lacking one, its name.

    Natural Earth splits some countries' territories into several features with one id (Australia
    and the Ashmore and Cartier Islands): they become one shape, so each country is one link.
    """
    lonlat = decode_arcs(topology)
    arcs = [[project(lon, lat) for lon, lat in arc] for arc in lonlat]
    grouped: dict[str, dict] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = (geometry.get("properties") or {}).get("name", "")
        key = str(geometry.get("id") or name)
        if key == ANTARCTICA or not key:
            continue
        entry = grouped.setdefault(key, {"name": name, "paths": [], "area": 0.0, "largest": (-1.0, (0, 0))})
        for ring in geometry_rings(geometry):
            for points in _projected_rings(ring, arcs, lonlat, project):
                d, area, centroid = ring_path(points)
                if d:
                    entry["paths"].append(d)
                entry["area"] += area
                if abs(area) > entry["largest"][0]:
                    entry["largest"] = (abs(area), centroid)
    return {
        key: Shape(
            id=key,
            name=entry["name"],
            d="".join(entry["paths"]),
            area=abs(entry["area"]),
            centroid=(round(entry["largest"][1][0]), round(entry["largest"][1][1])),
        )
        for key, entry in grouped.items()
    }


def _projected_rings(ring, arcs, lonlat, project):
    """A ring in view units; one that crosses the 180th meridian (Russia, Fiji) twice, once per side.

    Such a ring jumps from +180° to -180° between two points; drawn as is, that jump is a line
    across the whole map. Its longitudes are made continuous instead (running past ±180°) and it is
    drawn once where it starts and once shifted by 360°: the view box clips each copy to its side.
    """
    points = ring_points(ring, lonlat)
    if all(abs(b[0] - a[0]) <= 180 for a, b in zip(points, points[1:], strict=False)):
        return [ring_points(ring, arcs)]
    unwrapped, offset, previous = [], 0.0, points[0][0]
    for lon, lat in points:
        if lon - previous > 180:
            offset -= 360
        elif lon - previous < -180:
            offset += 360
        previous = lon
        unwrapped.append((lon + offset, lat))
    shift = -360 if max(lon for lon, _ in unwrapped) > 180 else 360
    return [[project(lon + extra, lat) for lon, lat in unwrapped] for extra in (0, shift)]


@lru_cache(maxsize=2)
def _load(path: str, mtime_ns: int, size: int) -> dict[str, Shape]:
    import json

    with open(path, "rb") as file:
        return build_shapes(json.load(file))


def load_atlas(path: Path | str | None = None) -> dict[str, Shape] | None:
    """The projected shapes, cached per process and file version; None when the file is missing or bad."""
    path = Path(path or settings.MAP_SHAPES_PATH)
    try:
        stat = path.stat()
        return _load(str(path), stat.st_mtime_ns, stat.st_size)
    except (OSError, ValueError, KeyError, TypeError) as error:
        logger.warning("map shapes unavailable at %s: %s (run scripts/setup)", path, error)
        return None


def numeric_code(iso_code: str) -> str | None:
    """ISO 3166-1 alpha-2 → numeric, the world-atlas ids ("VN" → "704"), from pycountry's ISO tables."""
    country = pycountry.countries.get(alpha_2=iso_code.upper())
    return country.numeric if country else None


def unmatched(iso_codes: Iterable[str], atlas: Mapping[str, Shape]) -> list[str]:
    """The codes that have no shape to draw."""
    return sorted(code for code in iso_codes if numeric_code(code) not in atlas)


# --- Classes and rendering --------------------------------------------------------------------


def class_ranges(counts: Iterable[int], levels: int = LEVELS) -> list[tuple[int, int]]:
    """Up to `levels` contiguous count ranges, each holding about as many countries.

    Quantiles rather than equal steps: the counts are skewed (a few countries hold many
    projects), and equal steps would paint almost every country in the lightest class. A range
    spans only counts that occur, so the legend shows the gaps ("3", then "9").
    """
    remaining = sorted(c for c in counts if c > 0)
    ranges: list[tuple[int, int]] = []
    while remaining:
        left = min(levels - len(ranges), len(set(remaining)))
        if left <= 1:
            ranges.append((remaining[0], remaining[-1]))
            break
        # Each class takes its share of the countries still unclassed, so a tie that fills one
        # class (many countries with one project) leaves the other classes to the rest.
        upper = remaining[math.ceil(len(remaining) / left) - 1]
        ranges.append((remaining[0], upper))
        remaining = [c for c in remaining if c > upper]
    return ranges


def _level(count: int, ranges: list[tuple[int, int]]) -> int:
    for index, (_low, high) in enumerate(ranges, start=1):
        if count <= high:
            return index
    return len(ranges)


def _label(name: str, count: int) -> str:
    return npgettext("world map", "%(name)s: %(count)d project", "%(name)s: %(count)d projects", count) % {
        "name": name,
        "count": count,
    }


def country_map(
    counts: Mapping[str, int],
    *,
    href: Callable[[str], str],
    names: Mapping[str, str],
    id_prefix: str = "country-map",
    path: Path | str | None = None,
) -> SafeString:
    """The map as HTML: a <figure> with the SVG and its legend.

    `counts` maps ISO alpha-2 codes to numbers of projects; `href(code)` is the filtered list's URL;
    `names[code]` the country's name in the reader's language (data from the database: escaped).
    """
    atlas = load_atlas(path)
    if atlas is None:
        return format_html(
            '<p class="country-map-missing">{}</p>',
            pgettext("world map", "The map is not available on this server."),
        )
    drawn = []
    for code, count in counts.items():
        shape = atlas.get(numeric_code(code) or "")
        if count > 0 and shape is None:
            logger.warning("no map shape for country %s", code)
        elif count > 0:
            drawn.append((code, count, shape))
    ranges = class_ranges(count for _, count, _ in drawn)
    countries = [
        {
            "href": href(code),
            "label": _label(names.get(code, code), count),
            "level": _level(count, ranges),
            "d": mark_safe(shape.d),  # digits and path letters only
            "marker": shape.centroid if shape.small else None,
            "sort": (shape.small, names.get(code, code)),
        }
        for code, count, shape in drawn
    ]
    shaded = {shape.id for _, _, shape in drawn}
    countries.sort(key=lambda c: c["sort"])  # tiny countries last, so their dots paint on top
    land = mark_safe("".join(s.d for key, s in atlas.items() if key not in shaded))
    legend = [
        {"level": i, "text": str(low) if low == high else f"{low}–{high}"}
        for i, (low, high) in enumerate(ranges, start=1)
    ]
    return render_to_string(
        "portal/map.html",
        {
            "id": id_prefix,
            "width": WIDTH,
            "height": HEIGHT,
            "land": land,
            "countries": countries,
            "legend": legend,
            "radius": MARKER_RADIUS,
        },
    )
