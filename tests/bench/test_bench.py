"""`manage.py bench` on the test database: the three implementations agree, the JSON has its
shape, and a disagreement stops the report. No timing is asserted."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bench import limit
from bench.run import SCENARIOS

# The limit reads through its own connection, so the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)
KEYS = {"scenario", "size", "median_ms", "p95_ms", "queries", "ratio_to_limit", "peer_ratio"}


@pytest.mark.postgresql
def test_bench_reports_every_scenario(tmp_path):
    out = tmp_path / "bench.json"

    call_command("bench", sizes="120", rounds=1, export_rounds=1, json_path=str(out), stdout=None)

    results = json.loads(out.read_text())["results"]
    assert [row["scenario"] for row in results] == ["status_table", *SCENARIOS[:-1]]
    assert {row["size"] for row in results} == {93, 120}
    for row in results:
        assert KEYS <= set(row)
        assert row["queries"] > 0 and row["median_ms"] > 0
    compared = [row for row in results if row["scenario"] not in ("export_xlsx", "status_table")]
    assert all(row["ratio_to_limit"] for row in compared)
    assert all(row["peer_ratio"] for row in compared if not row["scenario"].startswith("export"))


@pytest.mark.postgresql
def test_bench_refuses_to_report_when_the_limit_disagrees(monkeypatch, tmp_path):
    def wrong_page(where, lang="ja"):
        return "SELECT json_build_object('count', 0, 'results', '[]'::json)::text"

    monkeypatch.setattr(limit, "page_sql", wrong_page)

    with pytest.raises(CommandError, match="does not return the project's data"):
        call_command("bench", sizes="93", rounds=1, scenarios="list", json_path=str(tmp_path / "x.json"))

    assert not (tmp_path / "x.json").exists()


def test_bench_needs_postgresql(monkeypatch):
    # On SQLite this is the real refusal; on PostgreSQL the vendor is made to look otherwise.
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench", sizes="93")
