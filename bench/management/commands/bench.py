"""`manage.py bench`: bench/run.py does the work (README, "Performance").

Installed only with BENCH=true."""

import json

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.guard import REAL_EDITS_HELP, plan_numbers, refuse_real_edits
from bench.run import SCENARIOS, Bench, analyze, format_row, format_table, trim
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Time the project API at each --sizes (projects, generated as needed) side by side with "
        "one hand-written SQL query per page (the limit) and a nested-serializer DRF peer. "
        "PostgreSQL only; it adds synthetic projects to the database it runs on. " + REAL_EDITS_HELP
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,10000,100000", help="Comma-separated project counts.")
        parser.add_argument("--rounds", type=int, default=21, help="Timed rounds per page scenario.")
        parser.add_argument("--export-rounds", type=int, default=3, help="Timed rounds per export.")
        parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="Comma-separated.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", dest="json_path", help="Write the results here.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete every project not in the plan fixture (needs --without-history).",
        )
        parser.add_argument(
            "--without-history",
            action="store_true",
            help="Let --reset delete in SQL, writing no history rows (generated projects have none).",
        )
        parser.add_argument("--yes", action="store_true", help="Run even on a database with real edits.")
        parser.add_argument("--http", action="store_true", help="Add a load test through gunicorn and wrk.")

    def handle(self, *args, sizes, rounds, export_rounds, scenarios, json_path, http, **options):
        sizes = sorted(int(size) for size in sizes.split(","))
        wanted = [name for name in scenarios.split(",") if name]
        self.prepare(wanted, **options)
        bench = Bench(self, rounds=rounds, export_rounds=export_rounds)
        report = {"results": []}
        if http:
            report["http"] = self.load_test(bench)
        if "status_table" in wanted:
            report["results"] += self.on_the_plan(bench)
        for size in sizes:
            self.grow(size, options["seed"], options["yes"])
            for name in wanted:
                if name != "status_table":
                    report["results"].append(bench.run(name, size))
                    self.stdout.write(format_row(report["results"][-1]))
        self.stdout.write("")
        self.stdout.write(format_table(report["results"]))
        if json_path:
            with open(json_path, "w") as out:
                json.dump(report, out, ensure_ascii=False, indent=2)
            self.stdout.write(self.style.SUCCESS(f"Wrote {json_path}."))

    def prepare(self, wanted, *, reset, without_history, yes, **options):
        """Refuse what cannot run, then load the plan if the database is empty, and --reset."""
        if connection.vendor != "postgresql":
            raise CommandError("bench runs on PostgreSQL: set DATABASE_URL=postgres://...")
        unknown = set(wanted) - set(SCENARIOS)
        if unknown:
            raise CommandError(f"Unknown scenarios: {', '.join(sorted(unknown))}.")
        if reset and not without_history:
            raise CommandError(
                "--reset deletes the projects not in the plan fixture in SQL, writing no history rows "
                "(a generated project has none): add --without-history to say so."
            )
        refuse_real_edits("bench", yes=yes)
        if not Project.objects.exists():
            call_command("loaddata", "action_plan_2023", verbosity=0)
        if reset:
            trim(plan_numbers())

    def on_plan_only(self):
        """Whether the database holds just the plan's projects (what status_table and --http need)."""
        return Project.objects.count() == len(plan_numbers())

    def load_test(self, bench):
        if not self.on_plan_only():
            raise CommandError(
                f"--http loads the list of the plan's {len(plan_numbers())} projects: use --reset."
            )
        from bench.http import load_test

        return load_test(self, bench.token_key)

    def on_the_plan(self, bench):
        """The status_table scenario, which runs on the plan's projects alone."""
        if not self.on_plan_only():
            self.stderr.write(
                f"status_table skipped: it runs on the plan's {len(plan_numbers())} projects (use --reset)."
            )
            return []
        row = bench.run("status_table", len(plan_numbers()))
        self.stdout.write(format_row(row))
        return [row]

    def grow(self, size, seed, yes):
        """Generate projects up to `size` (or refuse if there are more), and VACUUM ANALYZE."""
        current = Project.objects.count()
        if current > size:
            raise CommandError(f"The database holds {current:,} projects, more than {size:,}: use --reset.")
        if current < size:
            call_command("generate_projects", count=size - current, seed=seed, yes=yes, stdout=self.stderr)
        analyze()
