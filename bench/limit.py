"""The limit: each page as one hand-written SQL query that builds the whole JSON body in
PostgreSQL, run through psycopg with no framework."""

import json

from django.utils import translation

from plans.models import EditionState
from projects.choices import DevelopmentKind, Status, labels
from projects.querysets import WON_KIND, latest_development_order_sql
from projects.text import CIRCLED_RUNS


def mark_sql(number):
    """The circled number of `number` (SQL) by the runs circled_number reads: a CASE whose last
    run, as there, takes every larger number."""
    *runs, (last_first, _last, last_code) = CIRCLED_RUNS
    cases = " ".join(
        f"WHEN {number} <= {last} THEN chr({code} + {number} - {first})" for first, last, code in runs
    )
    return f"CASE {cases} ELSE chr({last_code} + {number} - {last_first}) END"


# The edition the list shows by default (plans.selection.default_edition): the latest published.
EDITION = "(SELECT e.id FROM plans_edition e WHERE e.state = 'published' ORDER BY e.year DESC LIMIT 1)"

# A project's fields as listed: `l` is its listing in the edition (number, heading `g`, mark).
PROJECT = """
    'id', p.id, 'number', {number}, 'name', p.name, 'name_en', p.name_en,
    'country', json_build_object('iso_code', c.iso_code, 'name_ja', c.name_ja, 'name_en', c.name_en),
    'region', json_build_object('code', r.code, 'label', r.name_{lang}),
    'listing_group', CASE WHEN g.id IS NULL THEN NULL
        ELSE json_build_object('number', g.number, 'mark', {mark}, 'label', g.name_{lang}) END,
    'sectors', coalesce((SELECT json_agg(json_build_object('code', s.code, 'label', s.name_{lang})
            ORDER BY s."order", s.code)
        FROM projects_project_sectors ps JOIN projects_sector s ON s.id = ps.sector_id
        WHERE ps.project_id = p.id), '[]'),
    'schemes', coalesce((SELECT json_agg(json_build_object('code', m.code, 'label', m.name_{lang},
            'family', m.family) ORDER BY m."order", m.code)
        FROM projects_project_schemes pm JOIN projects_scheme m ON m.id = pm.scheme_id
        WHERE pm.project_id = p.id), '[]'),
    'status', json_build_object('code', p.status, 'label', %(status_labels)s::jsonb ->> p.status),
    'is_new', coalesce(l.is_new, false),
    'won', EXISTS(SELECT 1 FROM projects_development d WHERE d.project_id = p.id AND d.kind = %(won_kind)s),
    'latest_development', (SELECT json_build_object('date', d.date, 'precision', d.date_precision,
            'kind', json_build_object('code', d.kind, 'label', %(kind_labels)s::jsonb ->> d.kind),
            'text', d.text)
        FROM projects_development d WHERE d.project_id = p.id
        ORDER BY {latest_order} LIMIT 1),
    'updated', p.updated,
    'url', %(base)s || p.id || '/'
"""

JOINS = """JOIN countries_country c ON c.id = p.country_id
    JOIN countries_region r ON r.id = c.region_id
    JOIN plans_heading g ON g.id = l.heading_id"""

# The list: the edition's projects in its order (its number, then the tracker's).
LISTED = f"projects_project p JOIN plans_listing l ON l.project_id = p.id AND l.edition_id = {EDITION}"

PAGE = """
SELECT json_build_object(
    'count', (SELECT count(*) FROM {listed} WHERE {where}),
    'results', coalesce((SELECT json_agg(json_build_object({project}) ORDER BY l.number, p.number)
        FROM (SELECT p.id, p.number, p.name, p.name_en, p.country_id, p.status, p.updated
                FROM {listed} WHERE {where} ORDER BY l.number, p.number
              LIMIT %(limit)s OFFSET %(offset)s) p
        JOIN plans_listing l ON l.project_id = p.id AND l.edition_id = {edition}
        {joins}), '[]')
)::text
"""

# The detail: the tracker's number; heading and mark of the latest published edition listing it
# (`l`), and every published edition's listing in `editions`, oldest first.
DETAIL = """
SELECT json_build_object({project},
    'editions', coalesce((SELECT json_agg(json_build_object('year', e.year,
            'state', json_build_object('code', e.state, 'label', %(edition_state_labels)s::jsonb ->> e.state),
            'number', el.number,
            'listing_group', json_build_object('number', eg.number, 'mark', {edition_mark}, 'label', eg.name_{lang}),
            'is_new', el.is_new) ORDER BY e.year)
        FROM plans_listing el JOIN plans_edition e ON e.id = el.edition_id
        JOIN plans_heading eg ON eg.id = el.heading_id
        WHERE el.project_id = p.id AND e.state = 'published'), '[]'),
    'responsible', coalesce((SELECT json_agg(json_build_object('id', ru.id,
            'name', coalesce(nullif(trim(ru.first_name || ' ' || ru.last_name), ''), ru.username)) ORDER BY ru.id)
        FROM projects_project_responsible pr JOIN auth_user ru ON ru.id = pr.user_id
        WHERE pr.project_id = p.id), '[]'),
    'summary', p.summary, 'note', p.note, 'created', p.created,
    'developments', coalesce((SELECT json_agg(json_build_object('id', d.id, 'sequence', d.sequence,
            'kind', json_build_object('code', d.kind, 'label', %(kind_labels)s::jsonb ->> d.kind),
            'text', d.text, 'date', d.date, 'date_precision', d.date_precision, 'date_end', d.date_end,
            'source', d.source, 'recorded_at', d.recorded_at) ORDER BY d.sequence)
        FROM projects_development d WHERE d.project_id = p.id), '[]'),
    'status_history', coalesce((SELECT json_agg(json_build_object('id', h.id, 'sequence', h.sequence,
            'status', json_build_object('code', h.status, 'label', %(status_labels)s::jsonb ->> h.status),
            'previous_status', CASE WHEN h.previous_status = '' THEN NULL ELSE json_build_object(
                'code', h.previous_status, 'label', %(status_labels)s::jsonb ->> h.previous_status) END,
            'effective_on', h.effective_on, 'effective_precision', h.effective_precision, 'note', h.note, 'recorded_by', u.username,
            'recorded_at', h.recorded_at) ORDER BY h.sequence)
        FROM projects_statuschange h LEFT JOIN auth_user u ON u.id = h.recorded_by_id
        WHERE h.project_id = p.id), '[]')
)::text
FROM projects_project p
    LEFT JOIN LATERAL (SELECT ll.* FROM plans_listing ll JOIN plans_edition le ON le.id = ll.edition_id
        WHERE ll.project_id = p.id AND le.state = 'published' ORDER BY le.year DESC LIMIT 1) l ON true
    JOIN countries_country c ON c.id = p.country_id
    JOIN countries_region r ON r.id = c.region_id
    LEFT JOIN plans_heading g ON g.id = l.heading_id
WHERE p.id = %(pk)s
"""

# The list's CSV columns, straight from the tables (dates unformatted: COPY's own text form).
COPY_CSV = """
COPY (SELECT p.number, p.name, p.name_en, c.name_{lang}, r.name_{lang},
    (SELECT string_agg(s.name_{lang}, '、' ORDER BY s."order", s.code)
        FROM projects_project_sectors ps JOIN projects_sector s ON s.id = ps.sector_id
        WHERE ps.project_id = p.id),
    (SELECT string_agg(m.name_{lang}, '、' ORDER BY m."order", m.code)
        FROM projects_project_schemes pm JOIN projects_scheme m ON m.id = pm.scheme_id
        WHERE pm.project_id = p.id),
    p.status, l.is_new,
    EXISTS(SELECT 1 FROM projects_development d WHERE d.project_id = p.id AND d.kind = %(won_kind)s),
    ld.date, ld.text, p.updated
    FROM {listed} {joins}
    LEFT JOIN LATERAL (SELECT d.date, d.text FROM projects_development d WHERE d.project_id = p.id
        ORDER BY {latest_order} LIMIT 1) ld ON true
    ORDER BY l.number, p.number) TO STDOUT WITH (FORMAT csv, HEADER)
"""


def label_params(lang):
    with translation.override(lang):
        return (
            json.dumps(labels(Status)),
            json.dumps(labels(DevelopmentKind)),
            json.dumps(labels(EditionState)),
        )


def common_params(lang, base):
    """The parameters of every query here (COPY_CSV uses only won_kind)."""
    status_labels, kind_labels, edition_state_labels = label_params(lang)
    return {
        "status_labels": status_labels,
        "kind_labels": kind_labels,
        "edition_state_labels": edition_state_labels,
        "base": base,
        "won_kind": WON_KIND.value,
    }


def _project(lang, number):
    return PROJECT.format(
        lang=lang, number=number, mark=mark_sql("g.number"), latest_order=latest_development_order_sql("d")
    )


def page_sql(where, lang="ja"):
    return PAGE.format(
        where=where, project=_project(lang, "l.number"), joins=JOINS, listed=LISTED, edition=EDITION
    )


def detail_sql(lang="ja"):
    # The listing group is null where no published edition lists the project.
    return DETAIL.format(project=_project(lang, "p.number"), edition_mark=mark_sql("eg.number"), lang=lang)


def copy_csv_sql(lang="ja"):
    return COPY_CSV.format(
        lang=lang, listed=LISTED, joins=JOINS, latest_order=latest_development_order_sql("d")
    )
