"""projects.querysets: every reader of a project's latest development and of "won" (the ORM
annotations, the list's SQL, the export's cells, the API filter, the benchmark's peer and
limit) agrees with a plain-Python reference on tricky data; and search by character bigrams:
`q` of two characters or more goes through the GIN index of search_bigrams
(projects_bigrams(search_text), generated) on PostgreSQL, and through LIKE on SQLite, with the
same results."""

import json
from datetime import date

import pytest
from django.db import connection
from django.utils import translation

from bench import limit
from bench.peer import PeerProjectSerializer
from plans.selection import as_listed
from projects.api.list_rows import list_page_rows
from projects.filtersets import ProjectFilterSet
from projects.models import DatePrecision, Development, DevelopmentKind, Project
from projects.querysets import (
    bigrams,
    latest_development_json,
    latest_development_order,
    latest_development_order_sql,
)
from projects.spreadsheets.columns import LIST_COLUMNS
from projects.spreadsheets.export import list_rows, list_values
from tests.factories import DevelopmentFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TEXTS = ["", "a", "ab", "東京都市鉄道", "aaaa", "ｼﾞｬｶﾙﾀMRT（南北線）", "2023年e/n交換"]


def test_bigrams_are_the_distinct_character_pairs():
    assert bigrams("鉄道鉄道") == ["道鉄", "鉄道"]
    assert bigrams("a") == []
    assert bigrams("") == []


@pytest.mark.postgresql
@pytest.mark.parametrize("text", TEXTS)
def test_sql_bigrams_match_python(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT projects_bigrams(%s)", [text])
        (result,) = cursor.fetchone()

    assert sorted(result) == bigrams(text)


@pytest.fixture
def projects():
    return {
        "rail": ProjectFactory(name="ジャカルタ都市高速鉄道", summary="南北線の建設"),
        "subway": ProjectFactory(name="マニラ地下鉄", summary="首都圏の地下鉄"),
        "port": ProjectFactory(name="パティンバン港", summary="港湾の開発"),
        "wide": ProjectFactory(name="ＭＲＴ東西線", summary="全角の英字"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("鉄道", {"rail"}),  # 2 characters: the bigram alone decides
        ("地下鉄", {"subway"}),  # 3: bigrams, then LIKE
        ("鉄", {"rail", "subway"}),  # 1: LIKE alone
        ("道鉄", set()),  # a bigram no project has
        ("下地", set()),
        ("鉄道 南北", {"rail"}),  # every word
        ("mrt", {"wide"}),  # full-width text, half-width query
        ("ＭＲ", {"wide"}),
    ],
)
def test_search_finds_every_word(projects, query, expected):
    found = set(Project.objects.search(query).values_list("pk", flat=True))

    assert found == {projects[key].pk for key in expected}


@pytest.mark.postgresql
def test_two_character_search_uses_the_bigram_index(projects):
    sql, params = Project.objects.search("鉄道").order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # four rows: a scan would win
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "projects_project_search_bigrams" in plan, plan


@pytest.mark.postgresql
def test_the_bigrams_follow_every_write(projects):
    Project.objects.filter(pk=projects["port"].pk).update(search_text="新幹線")

    assert set(Project.objects.search("幹線").values_list("pk", flat=True)) == {projects["port"].pk}


# --- latest development and won, everywhere


def _month(year, month):
    return {"date": date(year, month, 1), "date_precision": DatePrecision.MONTH}


# number -> its developments as (sequence, kind, date fields), created in this order.
TRICKY = {
    # An undated award and two developments on one date: the higher sequence is the latest.
    1: [
        (1, DevelopmentKind.AWARD, {}),
        (2, DevelopmentKind.OTHER, _month(2024, 3)),
        (3, DevelopmentKind.STUDY, _month(2024, 3)),
    ],
    # Undated only: the last recorded is the latest.
    2: [(1, DevelopmentKind.OTHER, {}), (2, DevelopmentKind.SETBACK, {})],
    # None at all.
    3: [],
    # Same date recorded out of order (sequence 5 first), an older award.
    4: [
        (5, DevelopmentKind.OTHER, _month(2024, 1)),
        (2, DevelopmentKind.STUDY, _month(2024, 1)),
        (1, DevelopmentKind.AWARD, _month(2020, 6)),
    ],
    # A dated development beats a later-recorded undated one; a day beats its month's first.
    5: [(1, DevelopmentKind.OTHER, _month(2020, 1)), (9, DevelopmentKind.OTHER, {})],
    6: [
        (1, DevelopmentKind.OTHER, _month(2024, 3)),
        (2, DevelopmentKind.AWARD, {"date": date(2024, 3, 2), "date_precision": DatePrecision.DAY}),
    ],
    # "Latest" is the latest last date: a development that began earlier but ends later (50's
    # 「2022年5月にE/N署名、7月にL/A締結」) beats one dated between; on a tie with another's
    # date, the higher sequence.
    7: [
        (1, DevelopmentKind.AGREEMENT, {**_month(2022, 5), "date_end": date(2022, 7, 1)}),
        (2, DevelopmentKind.OTHER, _month(2022, 6)),
    ],
    8: [
        (1, DevelopmentKind.OTHER, _month(2024, 3)),
        (2, DevelopmentKind.OTHER, {**_month(2023, 12), "date_end": date(2024, 3, 1)}),
    ],
}


@pytest.fixture
def tricky_projects():
    for number, developments in TRICKY.items():
        project = ProjectFactory(number=number)
        for sequence, kind, when in developments:
            DevelopmentFactory(
                project=project, sequence=sequence, kind=kind, text=f"{number}-{sequence}", **when
            )


def _last(development):
    """A development's last date: its end, else its date."""
    return development.date_end or development.date


def _reference():
    """number -> (won, latest development's text), in plain Python over every development."""
    expected = {}
    for project in Project.objects.prefetch_related("developments"):
        developments = sorted(
            project.developments.all(),
            key=lambda d: (_last(d) is None, -(_last(d).toordinal() if _last(d) else 0), -d.sequence),
        )
        won = any(d.kind == DevelopmentKind.AWARD for d in developments)
        expected[project.number] = (won, developments[0].text if developments else None)
    return expected


def test_the_reference_reads_the_tricky_data_as_meant(tricky_projects):
    assert _reference() == {
        1: (True, "1-3"),
        2: (False, "2-2"),
        3: (False, None),
        4: (True, "4-5"),
        5: (False, "5-1"),
        6: (True, "6-2"),
        7: (False, "7-1"),
        8: (False, "8-2"),
    }


def test_the_orm_annotations_agree(tricky_projects):
    annotated = Project.objects.with_won().with_latest_development()
    assert {p.number: (p.won, p.latest_development_text) for p in annotated} == _reference()
    as_json = Project.objects.annotate(latest=latest_development_json())
    assert {p.number: p.latest and p.latest["text"] for p in as_json} == {
        number: text for number, (_won, text) in _reference().items()
    }


def test_the_lists_sql_agrees(tricky_projects):
    rows = list_page_rows(as_listed(Project.objects.all()))
    found = {
        row["edition_number"]: (row["won"], row["latest_development"] and row["latest_development"]["text"])
        for row in rows
    }
    assert found == _reference()


def test_the_won_filter_agrees(tricky_projects):
    reference = _reference()
    for value in [True, False]:
        filterset = ProjectFilterSet({"won": str(value).lower()}, queryset=Project.objects.all())
        assert set(filterset.qs.values_list("number", flat=True)) == {
            n for n, (won, _) in reference.items() if won is value
        }


def test_the_export_cells_agree(tricky_projects):
    keys = [column.key for column in LIST_COLUMNS]
    with translation.override("en"):
        expected = {n: ("Yes" if won else None, text) for n, (won, text) in _reference().items()}
        queryset = Project.objects.order_by("number")
        for rows in (list(list_rows(queryset)), list(list_values(queryset))):
            found = {
                row[keys.index("number")]: (
                    row[keys.index("won")] or None,
                    row[keys.index("latest_development_text")] or None,
                )
                for row in rows
            }
            assert found == expected


def test_the_benchmarks_peer_agrees(tricky_projects):
    serializer = PeerProjectSerializer()
    found = {}
    for project in Project.objects.all():
        latest = serializer.get_latest_development(project)
        found[project.number] = (serializer.get_won(project), latest and latest["text"])
    assert found == _reference()


@pytest.mark.postgresql
def test_the_benchmarks_limit_agrees(tricky_projects):
    with connection.cursor() as cursor:
        cursor.execute(
            limit.page_sql("true"), {**limit.common_params("ja", "/api/projects/"), "limit": 100, "offset": 0}
        )
        page = json.loads(cursor.fetchone()[0])
    found = {
        row["number"]: (row["won"], row["latest_development"] and row["latest_development"]["text"])
        for row in page["results"]
    }
    assert found == _reference()


@pytest.mark.postgresql
def test_the_latest_development_is_an_index_scan(tricky_projects):
    # Migration 0007's index is on the order's expression: no sort, whether the ORM or the
    # hand-written SQL asks.
    project = Project.objects.get(number=7)
    orm_sql, params = (
        Development.objects.filter(project=project)
        .order_by(*latest_development_order())[:1]
        .query.sql_with_params()
    )
    hand_sql = (
        f"SELECT d.id FROM {Development._meta.db_table} d WHERE d.project_id = %s"
        f" ORDER BY {latest_development_order_sql('d')} LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: a scan would win
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for sql, query_params in ((orm_sql, params), (hand_sql, [project.pk])):
            cursor.execute(f"EXPLAIN {sql}", query_params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "projects_development_latest" in plan, plan
            assert "Sort" not in plan, plan
