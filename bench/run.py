"""Benchmark the API against the raw-SQL limit and a typical DRF peer (README, "Performance")."""

import json
import statistics
import time
from datetime import datetime

import psycopg
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from rest_framework.test import APIRequestFactory, force_authenticate

import readcache.version
from accounts.roles import VIEWER, sync_roles
from bench import limit
from bench.peer import PeerProjectDetail, PeerProjectList
from projects.models import Project, Sector
from projects.querysets import bigrams
from projects.text import normalize_for_search
from tokens.models import APIToken

BASE = "/api/projects/"
SEARCH_3 = "地下鉄"
SEARCH_2 = "鉄道"
LIST_SCENARIOS = ["list", "list_country", "list_sector_status", "search_3", "search_2", "deep_offset"]
# Repeated reads of the same page with the read cache on (settings.READ_CACHE): the page
# scenario each repeats. Every other scenario runs with it off, so it times building the answer.
REPEATED = {"list_repeat": "list", "search_2_repeat": "search_2"}
SCENARIOS = [*LIST_SCENARIOS, *REPEATED, "detail", "export_csv", "export_xlsx", "status_table"]


def trim(keep):
    """Delete every project whose number is not in `keep` (the plan's), with its developments,
    status changes, sectors, schemes and its listings in editions, in SQL and so without history rows: the command asks
    for --without-history to say so. Through the ORM, simple-history would load every generated
    project, development and status change and write an audit row for each, one by one; and
    generate_projects writes no history, so there is none to keep."""
    beyond = "SELECT id FROM projects_project WHERE number <> ALL(%s)"
    numbers = sorted(keep)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM plans_listing_developments WHERE listing_id IN "
            f"(SELECT id FROM plans_listing WHERE project_id IN ({beyond}))",
            [numbers],
        )
        for table in (
            "plans_listing",
            "plans_removal",
            "projects_development",
            "projects_statuschange",
            "projects_project_sectors",
            "projects_project_schemes",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE project_id IN ({beyond})", [numbers])
        cursor.execute("DELETE FROM projects_project WHERE number <> ALL(%s)", [numbers])
    readcache.version.bump()  # rows deleted in SQL send no signal
    analyze()


def analyze():
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE projects_project")
        cursor.execute("VACUUM ANALYZE projects_development")
        cursor.execute("VACUUM ANALYZE projects_project_sectors")
        cursor.execute("VACUUM ANALYZE plans_listing")


class Mismatch(CommandError):
    pass


class Bench:
    def __init__(self, command, *, rounds, export_rounds):
        self.command = command
        self.rounds = rounds
        self.export_rounds = export_rounds
        sync_roles()
        user, _created = get_user_model().objects.get_or_create(username="bench")
        user.groups.add(Group.objects.get(name=VIEWER))
        self.user = user
        _token, self.token_key = APIToken.objects.issue(user=user, name="bench")
        hosts = [host.lstrip(".") for host in django_settings.ALLOWED_HOSTS if host != "*"]
        self.host = hosts[0] if hosts else "localhost"
        self.headers = {"HTTP_HOST": self.host, "HTTP_ACCEPT_LANGUAGE": "ja", "secure": True}
        self.client = Client(HTTP_AUTHORIZATION=f"Token {self.token_key}")
        self.factory = APIRequestFactory()
        settings = connection.settings_dict
        self.pg = psycopg.connect(
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            user=settings["USER"],
            password=settings["PASSWORD"] or None,
            dbname=settings["NAME"],
            autocommit=True,
        )
        self.params = limit.common_params("ja", f"https://{self.host}{BASE}")

    # The page each scenario asks for: query string, and the limit's WHERE and parameters.

    def list_case(self, name, size):
        name = REPEATED.get(name, name)
        where, params, query = "TRUE", {"limit": 50, "offset": 0}, {}
        if name == "list_country":
            iso = (Project.objects.values("country__iso_code").annotate(n=Count("id")).order_by("-n")[0])[
                "country__iso_code"
            ]
            query = {"country": iso}
            where = "p.country_id = (SELECT id FROM countries_country WHERE iso_code = %(country)s)"
            params["country"] = iso
        elif name == "list_sector_status":
            sector = Sector.objects.annotate(n=Count("projects")).order_by("-n")[0].code
            status = Project.objects.values("status").annotate(n=Count("id")).order_by("-n")[0]["status"]
            query = {"sector": sector, "status": status}
            where = (
                "p.status = %(status)s AND p.id IN (SELECT ps.project_id FROM projects_project_sectors ps "
                "JOIN projects_sector s ON s.id = ps.sector_id WHERE s.code = %(sector)s)"
            )
            params.update(sector=sector, status=status)
        elif name in ("search_3", "search_2"):
            term = SEARCH_3 if name == "search_3" else SEARCH_2
            query = {"q": term}
            term = normalize_for_search(term)
            where = "p.search_bigrams @> %(bigrams)s::text[]"
            params["bigrams"] = bigrams(term)
            if len(term) > 2:
                where += " AND p.search_text LIKE %(like)s"
                params["like"] = f"%{term}%"
        elif name == "deep_offset":
            count = Project.objects.count()
            offset = (count - 1) // 50 * 50
            query = {"offset": offset}
            params["offset"] = offset
        return query, limit.page_sql(where), {**self.params, **params}

    def run(self, name, size):
        """Time one scenario at one size: the project's API, and the limit and the peer where
        they exist, after checking that they return the project's data."""
        # The bench user's throttle counter starts afresh: a benchmark is not a throttling test.
        cache.delete(f"throttle_user_{self.user.pk}")
        with override_settings(READ_CACHE=name in REPEATED):
            implementations, check = self.implementations(name, size)
            outputs = {key: fn() for key, fn in implementations.items()}  # warm-up, and the check
            if check is not None:
                for other in ("limit", "peer"):
                    if other in outputs and not check(outputs["project"], outputs[other]):
                        raise Mismatch(f"{name} at {size:,}: the {other} does not return the project's data.")
            queries = self.count_queries(implementations["project"])
            rounds = self.export_rounds if name.startswith("export") else self.rounds
            return summary(name, size, timed(implementations, rounds), queries)

    def implementations(self, name, size):
        """The scenario's callables by key ("project", and "limit", "peer" where they exist),
        and how to compare their outputs (None: nothing to compare)."""
        if name in LIST_SCENARIOS or name in REPEATED:
            query, sql, params = self.list_case(name, size)
            path = BASE + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
            return {
                "project": lambda: self.get(path),
                "limit": lambda: self.sql(sql, params),
                "peer": lambda: self.peer(PeerProjectList.as_view(), path),
            }, compare_pages
        if name == "detail":
            pk = (
                Project.objects.filter(developments__isnull=False, status_changes__isnull=False)
                .order_by("number")
                .values_list("pk", flat=True)
                .first()
            )
            path = f"{BASE}{pk}/"
            return {
                "project": lambda: self.get(path),
                "limit": lambda: self.sql(limit.detail_sql(), {**self.params, "pk": pk}),
                "peer": lambda: self.peer(PeerProjectDetail.as_view(), path, pk=pk),
            }, compare_json
        if name == "export_csv":
            return {
                "project": lambda: self.get(BASE + "?format=csv", stream=True),
                "limit": lambda: self.copy(limit.copy_csv_sql(), self.params),
            }, compare_csv
        if name == "export_xlsx":
            return {"project": lambda: self.get(BASE + "?format=xlsx", stream=True)}, None
        return {"project": lambda: self.get(BASE + "status-table/?format=json")}, None  # status_table

    def get(self, path, stream=False):
        response = self.client.get(path, **self.headers)
        if response.status_code != 200:
            raise CommandError(f"{path}: {response.status_code}")
        if stream and response.streaming:
            return b"".join(response.streaming_content)
        return response.getvalue() if stream else response.content

    def peer(self, view, path, **kwargs):
        request = self.factory.get(path, **self.headers)
        force_authenticate(request, user=self.user)
        response = view(request, **kwargs)
        response.render()
        return response.content

    def sql(self, sql, params):
        with self.pg.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0].encode()

    def copy(self, sql, params):
        chunks = []
        # psycopg merges a COPY's parameters on the client (PostgreSQL takes none in COPY).
        with self.pg.cursor() as cursor, cursor.copy(sql, params) as copy:
            for chunk in copy:
                chunks.append(bytes(chunk))
        return b"".join(chunks)

    def count_queries(self, fn):
        with CaptureQueriesContext(connection) as context:
            fn()
        return len(context.captured_queries)


def timed(implementations, rounds):
    """Milliseconds per call, by key: the implementations interleaved, so drift hits them alike."""
    times = {key: [] for key in implementations}
    for _round in range(rounds):
        for key, fn in implementations.items():
            started = time.perf_counter()
            fn()
            times[key].append((time.perf_counter() - started) * 1000)
    return times


def summary(name, size, times, queries):
    """One row of the report (README, "Performance", names its keys)."""
    median = {key: statistics.median(values) for key, values in times.items()}
    return {
        "scenario": name,
        "size": size,
        "median_ms": round(median["project"], 2),
        "p95_ms": round(percentile(times["project"], 95), 2),
        "queries": queries,
        "ratio_to_limit": round(median["project"] / median["limit"], 2) if "limit" in median else None,
        "peer_ratio": round(median["peer"] / median["project"], 1) if "peer" in median else None,
        "limit_median_ms": round(median["limit"], 2) if "limit" in median else None,
        "peer_median_ms": round(median["peer"], 2) if "peer" in median else None,
    }


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def normalized(value):
    """JSON data with date-times as instants, so "…+09:00" and "…+00:00" forms compare equal."""
    if isinstance(value, dict):
        return {key: normalized(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalized(item) for item in value]
    if isinstance(value, str) and len(value) >= 20 and value[10:11] == "T":
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def compare_json(a, b):
    return normalized(json.loads(a)) == normalized(json.loads(b))


def compare_pages(a, b):
    a, b = json.loads(a), json.loads(b)
    return a["count"] == b["count"] and normalized(a["results"]) == normalized(b["results"])


def compare_csv(a, b):
    """Same projects in the same order (the first column); cell formats differ (dates)."""
    import csv
    import io

    def numbers(data):
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
        return [row[0] for row in rows]

    return numbers(a) == numbers(b)


def format_row(row):
    ratio = f"{row['ratio_to_limit']:.2f}×" if row["ratio_to_limit"] is not None else "–"
    peer = f"{row['peer_ratio']:.1f}×" if row["peer_ratio"] is not None else "–"
    return (
        f"{row['scenario']:<19}{row['size']:>8,}{row['median_ms']:>10.2f}{row['p95_ms']:>10.2f}"
        f"{row['queries']:>6}{ratio:>9}{peer:>9}"
    )


def format_table(results):
    header = f"{'scenario':<19}{'size':>8}{'median':>10}{'p95':>10}{'SQL':>6}{'/limit':>9}{'peer/':>9}"
    return "\n".join([header, *(format_row(row) for row in results)])
