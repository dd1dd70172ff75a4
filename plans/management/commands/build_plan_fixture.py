"""`manage.py build_plan_fixture [--source PATH] [--output PATH] [--check]`: plans.fixture does the work."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from plans.fixture import (
    DEFAULT_ANNOTATIONS,
    DEFAULT_CORRECTIONS,
    DEFAULT_OUTPUT,
    DEFAULT_SOURCE,
    RECORDED_AT,
    build_fixture,
    load_json,
    render,
)


class Command(BaseCommand):
    help = "Build the action plan 2023 fixture from the source text, corrections and annotations."
    # A pure file-to-file build: it needs the models, not the URL conf or the other checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--source", default=str(DEFAULT_SOURCE), help="The plan's project table text.")
        parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="Where to write the fixture.")
        parser.add_argument("--corrections", default=str(DEFAULT_CORRECTIONS), help="The correction list.")
        parser.add_argument("--annotations", default=str(DEFAULT_ANNOTATIONS), help="The annotations.")
        parser.add_argument(
            "--recorded-at",
            default=RECORDED_AT,
            help=f"Timestamp for recorded_at, created and updated (default {RECORDED_AT}).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if the fixture at --output differs from what would be built.",
        )

    def handle(self, *args, **options):
        source = Path(options["source"])
        try:
            source_text = source.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(f"The source {source} does not exist.") from exc
        recorded_at = options["recorded_at"]
        parsed = parse_datetime(recorded_at) if isinstance(recorded_at, str) else None
        if parsed is None or parsed.tzinfo is None:
            raise CommandError(
                f"--recorded-at must be an ISO 8601 date-time with a time zone, not {recorded_at!r}."
            )
        corrections = load_json(options["corrections"], "corrections")
        annotations = load_json(options["annotations"], "annotations")
        content = render(build_fixture(source_text, corrections, annotations, recorded_at))
        output = Path(options["output"])
        if options["check"]:
            current = output.read_text(encoding="utf-8") if output.exists() else None
            if current != content:
                raise CommandError(
                    f"{output} is not what build_plan_fixture builds from {source}; "
                    "run `python manage.py build_plan_fixture` and review the difference."
                )
            self.stdout.write(f"{output} is up to date.")
            return
        output.write_text(content, encoding="utf-8")
        count = sum(1 for obj in json.loads(content) if obj["model"] == "projects.project")
        self.stdout.write(f"Wrote {output}: {count} projects.")
