"""`manage.py bench`: bench/run.py does the work (README, "Performance").

Installed only with BENCH=true."""

import json

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.run import REAL_PROJECTS, SCENARIOS, Bench, analyze, format_row, format_table, trim
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Time the project API at each --sizes (projects, generated as needed) side by side with "
        "one hand-written SQL query per page (the limit) and a nested-serializer DRF peer. "
        "PostgreSQL only; it adds synthetic projects to the database it runs on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,10000,100000", help="Comma-separated project counts.")
        parser.add_argument("--rounds", type=int, default=21, help="Timed rounds per page scenario.")
        parser.add_argument("--export-rounds", type=int, default=3, help="Timed rounds per export.")
        parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="Comma-separated.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", dest="json_path", help="Write the results here.")
        parser.add_argument(
            "--reset", action="store_true", help="First delete every project beyond the real 93."
        )
        parser.add_argument("--http", action="store_true", help="Add a load test through gunicorn and wrk.")

    def handle(self, *args, sizes, rounds, export_rounds, scenarios, seed, json_path, reset, http, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench runs on PostgreSQL: set DATABASE_URL=postgres://...")
        sizes = sorted(int(size) for size in sizes.split(","))
        wanted = [name for name in scenarios.split(",") if name]
        unknown = set(wanted) - set(SCENARIOS)
        if unknown:
            raise CommandError(f"Unknown scenarios: {', '.join(sorted(unknown))}.")
        if not Project.objects.exists():
            call_command("loaddata", "action_plan_2023", verbosity=0)
        if reset:
            trim(REAL_PROJECTS)
        bench = Bench(self, rounds=rounds, export_rounds=export_rounds)
        results = []
        http_report = None
        if http:
            if Project.objects.count() != REAL_PROJECTS:
                raise CommandError("--http loads the real 93's list: use --reset.")
            from bench.http import load_test

            http_report = load_test(self, bench.token_key)
        if "status_table" in wanted:
            if Project.objects.count() != REAL_PROJECTS:
                self.stderr.write("status_table skipped: it runs on the real 93 (use --reset).")
            else:
                results.append(bench.run("status_table", REAL_PROJECTS))
                self.stdout.write(format_row(results[-1]))
        for size in sizes:
            current = Project.objects.count()
            if current > size:
                raise CommandError(
                    f"The database holds {current:,} projects, more than {size:,}: use --reset."
                )
            if current < size:
                call_command("generate_projects", count=size - current, seed=seed, stdout=self.stderr)
            analyze()
            for name in wanted:
                if name != "status_table":
                    results.append(bench.run(name, size))
                    self.stdout.write(format_row(results[-1]))
        self.stdout.write("")
        self.stdout.write(format_table(results))
        report = {"results": results}
        if http_report is not None:
            report["http"] = http_report
        if json_path:
            with open(json_path, "w") as out:
                json.dump(report, out, ensure_ascii=False, indent=2)
            self.stdout.write(self.style.SUCCESS(f"Wrote {json_path}."))
