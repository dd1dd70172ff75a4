"""The front page's bar charts, drawn as SVG on the server.

Why server-rendered SVG and not a JavaScript chart library: the CSP allows scripts from this
host only and no inline styles, the page must work without JavaScript, in print and on a phone,
and each bar must be a real link (an SVG <a>, focusable and announced with its name and count).
A horizontal bar chart is a few rectangles: no library is needed to draw it. Colours and fonts
come from classes in front.css; positions are SVG attributes (not style=""), so the CSP holds.

The chart's user units are about CSS pixels on a phone (the SVG is WIDTH wide and scales down
to fit, up to a max width set in CSS), so its 13-unit labels stay legible at 390 px.
"""

from collections.abc import Callable, Iterable

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import npgettext

WIDTH = 360
ROW = 38  # a row: the label on one line, the bar under it
LABEL_Y = 14
BAR_Y = 19
BAR_HEIGHT = 14
COUNT_ROOM = 44  # room right of the longest bar for its count


def bar_label(name: str, count: int) -> str:
    return npgettext("chart", "%(name)s: %(count)d project", "%(name)s: %(count)d projects", count) % {
        "name": name,
        "count": count,
    }


def bar_chart(buckets: Iterable, *, href: Callable[[str], str], title: str, id: str) -> SafeString:
    """A horizontal bar chart of `buckets` (portal.summary.Bucket: code, name, count) as a
    <figure>: the SVG, each bar linking to href(code), and the same numbers in a table."""
    buckets = list(buckets)
    largest = max((bucket.count for bucket in buckets), default=0) or 1
    room = WIDTH - COUNT_ROOM
    rows = []
    for index, bucket in enumerate(buckets):
        top = index * ROW
        width = round(room * bucket.count / largest, 1)
        rows.append(
            {
                "code": bucket.code,
                "name": bucket.name,
                "count": bucket.count,
                "href": href(bucket.code),
                "label": bar_label(bucket.name, bucket.count),
                "top": top,
                "label_y": top + LABEL_Y,
                "bar_y": top + BAR_Y,
                "width": width,
                "count_x": width + 6,
                "count_y": top + BAR_Y + BAR_HEIGHT - 3,
                "zero": bucket.count == 0,
            }
        )
    return render_to_string(
        "portal/chart.html",
        {
            "id": id,
            "title": title,
            "rows": rows,
            "width": WIDTH,
            "height": max(len(rows) * ROW, ROW),
            "row_height": ROW,
            "bar_height": BAR_HEIGHT,
        },
    )
