"""Load the 2023 action plan safely: over live data it adds what is missing and refuses to
overwrite anything edited since (Django's own `loaddata action_plan_2023` would silently put
every row back as the plan has it: names, the current status out of step with its history,
the version)."""

import json
from pathlib import Path

from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import transaction

from plans.fixture import DEFAULT_OUTPUT as PLAN_FIXTURE
from projects.models import Project


def _differs(field, record, current) -> bool:
    if field.primary_key or getattr(field, "generated", False):
        return False
    if field in (record.deferred_fields or {}):  # it names a row that does not exist yet
        return True
    return getattr(record.object, field.attname) != getattr(current, field.attname)


def edited_rows(path=PLAN_FIXTURE) -> list[str]:
    """The rows of the fixture that exist in the database with other values, as
    "model natural-key: field, field"; rows that do not exist yet are not listed."""
    edited = []
    for raw in json.loads(Path(path).read_text(encoding="utf-8")):
        try:
            (record,) = serializers.deserialize("python", [raw], handle_forward_references=True)
        except (DeserializationError, ObjectDoesNotExist):
            continue  # a row whose parent does not exist yet (a deleted project's developments): new
        instance = record.object
        model = type(instance)
        current = model._default_manager.filter(pk=instance.pk).first() if instance.pk else None
        if current is None:
            continue
        fields = [field.name for field in model._meta.concrete_fields if _differs(field, record, current)]
        for name, pks in (record.m2m_data or {}).items():
            if set(pks) != set(getattr(current, name).values_list("pk", flat=True)):
                fields.append(name)
        if fields:
            key = instance.natural_key() if hasattr(instance, "natural_key") else (instance.pk,)
            label = " ".join(str(part) for part in key)
            edited.append(f"{model._meta.label} {label}: {', '.join(fields)}")
    return edited


class Command(BaseCommand):
    help = (
        "Load the 2023 action plan (fixtures/action_plan_2023.json). Into a database that already "
        "holds data it only adds the missing rows, and refuses, changing nothing, when a row of the "
        "plan has been edited since it was loaded. With --if-empty it does nothing when projects exist."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already holds projects."
        )

    def handle(self, *args, if_empty, **options):
        existing = Project.objects.count()
        if if_empty and existing:
            self.stdout.write(f"The database holds {existing} projects: nothing loaded.")
            return
        with transaction.atomic():
            edited = edited_rows()
            if edited:
                shown = "\n  ".join(edited[:20]) + ("\n  …" if len(edited) > 20 else "")
                raise CommandError(
                    "Rows of the plan edited since it was loaded would be overwritten, so nothing "
                    f"was loaded ({len(edited)} rows):\n  {shown}\n"
                    "Edit projects in the admin, the API or with import_projects instead."
                )
            call_command("loaddata", PLAN_FIXTURE, verbosity=0)
        added = Project.objects.count() - existing
        if existing:
            self.stdout.write(
                self.style.SUCCESS(
                    f"The plan matches the database's {existing} projects; {added} missing projects added."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Loaded the 2023 action plan: {Project.objects.count()} projects.")
            )
