"""Fill the database with realistic synthetic projects, for benchmarks and load tests."""

import random
import re
import time
from datetime import UTC, date, datetime, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max

import readcache.version
from bench.guard import REAL_EDITS_HELP, SYNTHETIC, plan_numbers, refuse_real_edits
from plans.models import Edition, Listing
from projects.models import DatePrecision, Development, Project, Status, StatusChange

KATAKANA_RUN = re.compile(r"[ァ-ヴー・]{2,}")

# Status paths a project can have walked; the last entry is its current status.
STATUS_PATHS = [
    [Status.IDENTIFICATION],
    [Status.IDENTIFICATION, Status.PREPARATION],
    [Status.PREPARATION],
    [Status.PREPARATION, Status.PROCUREMENT],
    [Status.IDENTIFICATION, Status.PREPARATION, Status.PROCUREMENT, Status.IMPLEMENTATION],
    [Status.PROCUREMENT, Status.IMPLEMENTATION],
    [Status.IMPLEMENTATION, Status.OPERATION],
    [Status.PREPARATION, Status.SUSPENDED],
    [Status.IMPLEMENTATION, Status.COMPLETED],
    [Status.IDENTIFICATION, Status.CANCELLED],
]


class Templates:
    """What the synthetic data is composed from: the real projects of the plan, and the latest
    published edition, which lists each generated project under its template's heading."""

    def __init__(self):
        self.edition = Edition.objects.latest_published()
        headings = dict(self.edition.listings.values_list("project_id", "heading_id")) if self.edition else {}
        projects = list(
            Project.objects.filter(number__in=plan_numbers())
            .order_by("number")
            .prefetch_related("sectors", "schemes", "developments")
        )
        if not projects:
            raise CommandError("No real projects to learn from: load the plan first.")
        self.projects = [
            {
                "country_id": p.country_id,
                "heading_id": headings.get(p.pk),
                "sector_ids": [s.pk for s in p.sectors.all()],
                "scheme_ids": [s.pk for s in p.schemes.all()],
                "status": p.status,
                "name": p.name,
                "name_en": p.name_en,
                "summary": p.summary,
            }
            for p in projects
        ]
        self.developments = [(d.kind, d.text) for p in projects for d in p.developments.all()] or [
            ("other", "相手国政府において事業の実現に向け検討中")
        ]
        self.places = sorted({m for p in projects for m in KATAKANA_RUN.findall(p.name)})
        self.tails = sorted(
            {KATAKANA_RUN.split(p.name)[-1] for p in projects if KATAKANA_RUN.split(p.name)[-1]}
        )


class Command(BaseCommand):
    help = (
        "Add --count synthetic projects composed from the real plan's vocabulary and proportions "
        "(countries, sectors, schemes, statuses), with 0–10 developments and a status history "
        "each, listed in the latest published edition after its own rows (about 10%% marked new). "
        "The same --seed gives the same data. " + REAL_EDITS_HELP
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many projects to add.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--batch", type=int, default=5000, help="Projects per insert batch.")
        parser.add_argument("--yes", action="store_true", help="Add them even to a database with real edits.")

    def handle(self, *args, count, seed, batch, yes, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        refuse_real_edits("generate_projects", yes=yes)
        if not Project.objects.exists():
            call_command("loaddata", "action_plan_2023", verbosity=0)
        templates = Templates()
        rng = random.Random(seed)
        started = time.monotonic()
        with transaction.atomic():
            ids = _next_ids()
            first_number = (Project.objects.aggregate(m=Max("number"))["m"] or 0) + 1
            ids["listing_number"] = (
                (templates.edition.listings.aggregate(m=Max("number"))["m"] or 0) + 1
                if templates.edition
                else None
            )
            for offset in range(0, count, batch):
                size = min(batch, count - offset)
                _insert_batch(rng, templates, ids, first_number + offset, size)
                self.stderr.write(f"\r{offset + size:,}/{count:,} projects", ending="")
            _reset_sequences()
            readcache.version.bump()  # rows written in SQL send no signal
        self.stderr.write("")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {count:,} projects, {ids['development'] - ids['development_start']:,} developments "
                f"and {ids['statuschange'] - ids['statuschange_start']:,} status changes in {elapsed:.1f} s."
            )
        )


TABLES = {
    "project": Project,
    "development": Development,
    "statuschange": StatusChange,
    "sectors": Project.sectors.through,
    "schemes": Project.schemes.through,
    "listing": Listing,
}


def _next_ids():
    ids = {}
    for key, model in TABLES.items():
        ids[key] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    ids["development_start"] = ids["development"]
    ids["statuschange_start"] = ids["statuschange"]
    return ids


def _random_date(rng):
    start = date(2015, 1, 1).toordinal()
    return date.fromordinal(rng.randint(start, date(2026, 10, 31).toordinal()))


def _insert_batch(rng, templates, ids, first_number, size):
    now = datetime.now(UTC)
    rows = {key: [] for key in ("projects", "developments", "changes", "sectors", "schemes", "listings")}
    for i in range(size):
        template = rng.choice(templates.projects)
        project_id = ids["project"]
        ids["project"] += 1
        # The draws stay in this order (name, developments, path, is_new): same seed, same data.
        name = f"{rng.choice(templates.places)}{rng.choice(templates.tails)}"
        developments = _developments(rng, templates, ids, project_id, now)
        path = rng.choice(STATUS_PATHS)
        rows["developments"] += developments
        rows["changes"] += _status_changes(ids, project_id, path, now)
        project, is_new = _project(
            rng, template, project_id, first_number + i, name, path[-1], developments, now
        )
        rows["projects"].append(project)
        if templates.edition is not None and template["heading_id"] is not None:
            rows["listings"].append(_listing(ids, templates.edition, template, project_id, is_new))
        for key, column in (("sectors", "sector_id"), ("schemes", "scheme_id")):
            for pk in template[f"{key[:-1]}_ids"]:
                rows[key].append({"id": ids[key], "project_id": project_id, column: pk})
                ids[key] += 1
    _write(Project, rows["projects"])
    _write(TABLES["sectors"], rows["sectors"])
    _write(TABLES["schemes"], rows["schemes"])
    _write(StatusChange, rows["changes"])
    _write(Development, rows["developments"])
    _write(Listing, rows["listings"])


def _developments(rng, templates, ids, project_id, now):
    """0–10 developments a few months apart, most dated to the month."""
    developments = []
    day = _random_date(rng)
    for sequence in range(1, rng.randint(0, 10) + 1):
        kind, text = rng.choice(templates.developments)
        day = day + timedelta(days=rng.randint(20, 200))
        precision = rng.choice([DatePrecision.MONTH] * 6 + [DatePrecision.YEAR, DatePrecision.NONE])
        if precision == DatePrecision.MONTH:
            value = day.replace(day=1)
        elif precision == DatePrecision.YEAR:
            value = day.replace(month=1, day=1)
        else:
            value = None
        developments.append(
            {
                "id": ids["development"],
                "project_id": project_id,
                "sequence": sequence,
                "kind": kind,
                "text": text,
                "date": value,
                "date_precision": precision,
                "date_end": None,
                "source": SYNTHETIC,
                "recorded_by_id": None,
                "recorded_at": now,
            }
        )
        ids["development"] += 1
    return developments


def _status_changes(ids, project_id, path, now):
    changes = []
    previous = ""
    for sequence, status in enumerate(path, start=1):
        changes.append(
            {
                "id": ids["statuschange"],
                "project_id": project_id,
                "sequence": sequence,
                "status": status,
                "previous_status": previous,
                "effective_on": None,
                "effective_precision": DatePrecision.NONE,
                "note": SYNTHETIC,
                "recorded_by_id": None,
                "recorded_at": now,
            }
        )
        ids["statuschange"] += 1
        previous = status
    return changes


def _project(rng, template, project_id, number, name, status, developments, now):
    project = Project(
        number=number, name=name, name_en=f"{template['name_en']} ({number})", summary=template["summary"]
    )
    row = {
        "id": project_id,
        "number": number,
        "name": name,
        "name_en": project.name_en,
        "summary": template["summary"],
        "note": "",
        "country_id": template["country_id"],
        "status": status,
        "search_text": project.build_search_text([row["text"] for row in developments]),
        "version": 1,
        "created": now,
        "updated": now,
    }
    return row, rng.random() < 0.1


def _listing(ids, edition, template, project_id, is_new):
    """The project's row in the edition: under its template's heading, numbered after the
    edition's rows (its own rows keep their numbers, so the plan's rows stay as loaded)."""
    row = {
        "id": ids["listing"],
        "edition_id": edition.pk,
        "project_id": project_id,
        "heading_id": template["heading_id"],
        "number": ids["listing_number"],
        "is_new": is_new,
        "printed": None,
    }
    ids["listing"] += 1
    ids["listing_number"] += 1
    return row


def _write(model, rows):
    """Insert rows: PostgreSQL's COPY where available (fast), executemany elsewhere."""
    if not rows:
        return
    table = model._meta.db_table
    columns = list(rows[0])
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})",
                [[row[c] for c in columns] for row in rows],
            )


def _reset_sequences():
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in TABLES.values():
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {connection.ops.quote_name(table)}))",
                [table],
            )
