"""Move the 2023 plan's list into its edition: the listing groups become the 2023 edition's
headings, and each project's number, heading and new mark its listing there (projects 0007
then drops them from the project).

Only a database that holds projects has anything to move; a new one gets the edition with the
fixture (load_plan). The edition's stated facts, its removals by name and the rows as printed
come from the committed fixture (fixtures/action_plan_2023.json, built from the plan's text);
a project the fixture does not have is listed as the database holds it.
"""

import json
from pathlib import Path

from django.conf import settings
from django.db import migrations

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "action_plan_2023.json"
YEAR = 2023


def _fixture_objects():
    try:
        objects = json.loads(FIXTURE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, [], {}
    edition = next((o["fields"] for o in objects if o["model"] == "plans.edition"), {})
    removals = [o["fields"] for o in objects if o["model"] == "plans.removal"]
    printed = {o["fields"]["project"][0]: o["fields"]["printed"] for o in objects if o["model"] == "plans.listing"}
    return edition, removals, printed


def forward(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    if not Project.objects.exists():
        return
    ListingGroup = apps.get_model("projects", "ListingGroup")
    Edition = apps.get_model("plans", "Edition")
    Heading = apps.get_model("plans", "Heading")
    Listing = apps.get_model("plans", "Listing")
    Removal = apps.get_model("plans", "Removal")
    stated, removals, printed = _fixture_objects()
    fields = {
        key: stated.get(key)
        for key in (
            "title",
            "source",
            "previous_year",
            "stated_count",
            "stated_previous_count",
            "stated_removed_count",
            "stated_added_count",
            "published_at",
            "created",
        )
        if stated.get(key) is not None
    }
    fields.setdefault("title", "国土交通省インフラシステム海外展開行動計画2023")
    edition = Edition.objects.create(year=YEAR, state="published", **fields)
    headings = {
        group.pk: Heading.objects.create(edition=edition, number=group.number, name_ja=group.name_ja, name_en=group.name_en)
        for group in ListingGroup.objects.all()
    }
    for project in Project.objects.prefetch_related("developments").order_by("number"):
        row = printed.get(project.number)
        developments = list(project.developments.order_by("sequence"))
        if row is None:
            row = {
                "name": project.name,
                "summary": project.summary,
                "note": project.note,
                "developments": [development.text for development in developments],
                "status": project.status,
            }
        listing = Listing.objects.create(
            edition=edition,
            project=project,
            heading=headings[project.listing_group_id],
            number=project.number,
            is_new=project.is_new,
            printed=row,
        )
        listing.developments.set(developments)
    for removal in removals:
        Removal.objects.create(
            edition=edition,
            name=removal["name"],
            reason=removal["reason"],
            note=removal["note"],
            recorded_at=removal["recorded_at"],
        )


def backward(apps, schema_editor):
    """Put each project's 2023 heading and new mark back (projects 0007 unapplied re-added the
    columns) and drop the editions."""
    Project = apps.get_model("projects", "Project")
    ListingGroup = apps.get_model("projects", "ListingGroup")
    Edition = apps.get_model("plans", "Edition")
    Listing = apps.get_model("plans", "Listing")
    for listing in Listing.objects.filter(edition__year=YEAR).select_related("heading"):
        group, _created = ListingGroup.objects.get_or_create(
            number=listing.heading.number,
            defaults={"name_ja": listing.heading.name_ja, "name_en": listing.heading.name_en},
        )
        Project.objects.filter(pk=listing.project_id).update(listing_group=group, is_new=listing.is_new)
    Edition.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_editions"),
        ("projects", "0006_statuschange_effective_precision"),
    ]

    operations = [migrations.RunPython(forward, backward)]
