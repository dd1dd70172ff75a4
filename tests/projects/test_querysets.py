"""Search by character bigrams: `q` of two characters or more goes through the GIN index of
search_bigrams (projects_bigrams(search_text), generated) on PostgreSQL, and through LIKE on SQLite, with the same results."""

import pytest
from django.db import connection

from projects.models import Project
from projects.querysets import bigrams
from tests.factories import ProjectFactory

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
