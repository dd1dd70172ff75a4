"""load_plan: the plan loaded once, and never over edits. start_edition: next year's draft."""

from datetime import date

import pytest
from django.core.management import CommandError

from plans.models import Edition, Listing
from projects import services
from projects.models import Project
from tests.commands import run_command

pytestmark = pytest.mark.django_db


def test_load_plan_if_empty_loads_once_and_keeps_later_edits():
    assert "93 projects" in run_command("load_plan", "--if-empty")
    Project.objects.filter(number=1).update(name_en="Edited by an officer")

    assert "nothing loaded" in run_command("load_plan", "--if-empty")
    assert Project.objects.count() == 93
    assert Project.objects.get(number=1).name_en == "Edited by an officer"


def test_load_plan_again_over_unedited_data_changes_nothing_and_adds_what_is_missing():
    run_command("load_plan")
    # A project the 2023 edition lists is PROTECTed by its listing: both go.
    Listing.objects.filter(project__number=93).delete()
    Project.objects.get(number=93).delete()
    before = {p.number: (p.version, p.updated) for p in Project.objects.all()}

    out = run_command("load_plan")

    assert "92 projects; 1 missing projects added" in out
    assert Project.objects.count() == 93
    assert Listing.objects.filter(edition__year=2023, project__number=93).exists()
    assert {p.number: (p.version, p.updated) for p in Project.objects.exclude(number=93)} == before
    assert Listing.objects.filter(edition__year=2023).count() == 93


def test_load_plan_refuses_to_overwrite_projects_edited_through_the_services():
    """`loaddata action_plan_2023` silently put names, the status and the version back."""
    from django.core.management.base import CommandError

    from projects import services

    run_command("load_plan")
    project = Project.objects.get(number=12)
    services.project_update(project=project, name_en="Renamed by an officer")
    services.project_change_status(project=Project.objects.get(number=12), status="suspended", note="x")
    edited = Project.objects.get(number=12)
    history = edited.status_changes.count()

    with pytest.raises(CommandError) as refused:
        run_command("load_plan")

    message = str(refused.value)
    assert "nothing was loaded" in message
    assert "projects.Project 12: name_en, status, search_text, version, updated" in message
    again = Project.objects.get(number=12)
    assert (again.name_en, again.status, again.version) == (
        "Renamed by an officer",
        "suspended",
        edited.version,
    )
    assert again.status_changes.count() == history
    assert again.status_changes.order_by("sequence").last().status == again.status


def test_load_plan_refuses_to_overwrite_edited_reference_data():
    from django.core.management.base import CommandError

    from countries.models import Country

    run_command("load_plan")
    Country.objects.filter(iso_code="VN").update(name_en="Vietnam (edited)")

    with pytest.raises(CommandError, match=r"countries.Country VN: name_en"):
        run_command("load_plan")
    assert Country.objects.get(iso_code="VN").name_en == "Vietnam (edited)"


def test_start_edition_carries_the_latest_published_and_lists_proposed_removals(plan_data):
    services.development_add(
        project=Project.objects.get(number=25),
        kind="award",
        text="受注",
        date=date(2024, 3, 1),
        date_precision="month",
    )

    output = run_command("start_edition", "2024")

    assert "Started the 2024 edition (draft) from 2023: 93 projects under 23 headings." in output
    assert "proposed for removal:\n  25 南北通勤鉄道事業" in output
    assert Edition.objects.get(year=2024).state == "draft"


def test_start_edition_refuses_what_the_service_refuses(plan_data):
    with pytest.raises(CommandError, match="2023年版より後"):
        run_command("start_edition", "2022")
    with pytest.raises(CommandError, match="2023年版は既にあります"):
        run_command("start_edition", "2023")
    assert list(Edition.objects.values_list("year", flat=True)) == [2023]
