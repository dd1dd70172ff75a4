"""?format=oc4ids: an OC4IDS 0.9.5 project package of every project the list's filters match,
valid by the official schemas, with codes from the codelists and only facts the data holds."""

import pytest

from opendata import mappings
from projects.models import DatePrecision, Development, Project, Status
from tests.opendata.conftest import oc4ids_of
from tests.opendata.standards import oc4ids_codes, oc4ids_errors, oc4ids_project_errors

pytestmark = pytest.mark.django_db


def _check_codes(package):
    """Codes from open codelists (which the schema does not enforce) are the codelists' own."""
    for project in package["projects"]:
        assert set(project.get("sector", [])) <= oc4ids_codes("projectSector")
        for location in project["locations"]:
            assert location["gazetteer"]["scheme"] in oc4ids_codes("locationGazetteers")
            assert set(location["gazetteer"]["identifiers"]) <= oc4ids_codes("country")
        for milestone in project.get("milestones", []):
            assert milestone.get("type", "preProcurement") in oc4ids_codes("milestoneType")
            assert milestone.get("code", "projectApproval") in oc4ids_codes("milestoneCode")
            assert milestone.get("status", "met") in oc4ids_codes("milestoneStatus")
        for finance in project.get("budget", {}).get("finance", []):
            assert finance["type"] in oc4ids_codes("financingArrangementType")
            assert finance["financingPartyType"] in oc4ids_codes("financingPartyType")


def test_real_plan_validates_with_every_project(api, plan_data):
    package = oc4ids_of(api.get("/api/projects/?format=oc4ids"))
    assert oc4ids_errors(package) == []
    _check_codes(package)
    assert package["version"] == "0.9"
    assert package["publisher"]["name"].startswith("国土交通省")
    assert package["uri"].startswith("http://testserver/api/projects/?format=oc4ids")
    # Every project, not one page, in the list's order, each once.
    numbers = list(Project.objects.order_by("number").values_list("number", flat=True))
    assert [p["id"] for p in package["projects"]] == [f"oc4ids-xxxxxx-{n}" for n in numbers]
    assert len(numbers) == 93


def test_real_plan_values_are_the_data(api, plan_data):
    package = oc4ids_of(api.get("/api/projects/?format=oc4ids&country=ID"))
    jakarta = next(p for p in package["projects"] if p["id"] == "oc4ids-xxxxxx-36")
    project = Project.objects.get(number=36)
    assert jakarta["title"] == project.name
    assert jakarta["title_en"] == project.name_en
    assert jakarta["description"] == project.summary
    assert jakarta["language"] == "ja"
    assert jakarta["locations"][0]["gazetteer"] == {"scheme": "ISO2", "identifiers": ["ID"]}
    assert jakarta["sector"] == ["transport.rail"]
    # A yen loan: a bilateral, concessional loan, with no amount and no invented party.
    assert jakarta["budget"] == {
        "finance": [
            {
                "id": "oda-loan",
                "title": "円借款 (ODA loan (yen loan))",
                "type": "loan",
                "financingPartyType": "bilateral",
                "concessional": True,
            }
        ]
    }
    assert [m["description"] for m in jakarta["milestones"]] == list(
        project.developments.order_by("sequence").values_list("text", flat=True)
    )
    assert "parties" not in jakarta  # the data names no public authority


def test_filters_apply_as_for_the_list(api, plan_data):
    query = "sector=rail&country=VN,TH&ordering=-number"
    listed = api.get(f"/api/projects/?{query}&limit=1000").data["results"]
    package = oc4ids_of(api.get(f"/api/projects/?{query}&format=oc4ids"))
    assert [p["id"] for p in package["projects"]] == [f"oc4ids-xxxxxx-{p['number']}" for p in listed]
    assert len(listed) == 8


def test_prefix_comes_from_settings(api, plan_data, settings):
    settings.OC4IDS_ID_PREFIX = "oc4ids-abc123"
    package = oc4ids_of(api.get("/api/projects/?format=oc4ids&country=ID"))
    assert {p["id"] for p in package["projects"]} == {
        f"oc4ids-abc123-{n}"
        for n in Project.objects.filter(country__iso_code="ID").values_list("number", flat=True)
    }


def test_generated_projects_validate(api, generated):
    package = oc4ids_of(api.get("/api/projects/?format=oc4ids"))
    assert oc4ids_errors(package) == []
    _check_codes(package)
    assert len(package["projects"]) == len(generated)


def test_status_mapping_and_suspended_has_no_status(api, generated):
    package = oc4ids_of(api.get("/api/projects/?format=oc4ids"))
    by_id = {p["id"]: p for p in package["projects"]}
    for project in generated:
        exported = by_id[f"oc4ids-xxxxxx-{project.number}"]
        if project.status == Status.SUSPENDED:
            assert "status" not in exported
        else:
            assert exported["status"] == mappings.OC4IDS_STATUS[project.status]
    procurement = next(p for p in generated if p.status == Status.PROCUREMENT)
    assert by_id[f"oc4ids-xxxxxx-{procurement.number}"]["status"] == "implementation"


def test_milestone_dates_keep_their_precision(api, generated):
    """Only a day the source gives is a date-time; a month, year or fiscal year stays in the text.
    An event is met when its whole period is over and its text does not call it planned."""
    package = oc4ids_of(api.get("/api/projects/?format=oc4ids"))
    milestones = {
        (int(p["id"].rsplit("-", 1)[1]), int(m["id"])): m
        for p in package["projects"]
        for m in p.get("milestones", [])
    }
    developments = Development.objects.select_related("project")
    assert len(milestones) == developments.count()
    for development in developments:
        milestone = milestones[development.project.number, development.sequence]
        assert milestone["description"] == development.text
        planned = "予定" in development.text
        day = development.date_precision == DatePrecision.DAY and development.date_end is None
        if not day:
            assert "dateMet" not in milestone and "dueDate" not in milestone
        past = development.date is not None and development.date.year < 2026
        if development.date is None or planned or not past:
            assert "status" not in milestone
        else:
            assert milestone["status"] == "met"
        if day:
            key = "dateMet" if past and not planned else "dueDate"
            assert milestone[key] == f"{development.date.isoformat()}T00:00:00Z"


def test_unmapped_sector_and_no_developments_are_left_out(api, generated):
    bare = generated[-1]
    package = oc4ids_of(api.get("/api/projects/?format=oc4ids"))
    exported = next(p for p in package["projects"] if p["id"] == f"oc4ids-xxxxxx-{bare.number}")
    assert "sector" not in exported  # construction: no OC4IDS sector
    assert "milestones" not in exported
    assert "title_en" not in exported
    assert oc4ids_project_errors(exported) == []


def test_empty_selection_is_an_empty_list(api, generated):
    """The package schema needs one project (minItems 1): nothing matched is said plainly."""
    package = oc4ids_of(api.get("/api/projects/?format=oc4ids&q=存在しない言葉"))
    assert package["projects"] == []
    errors = oc4ids_errors(package)
    assert len(errors) == 1 and errors[0].startswith("['projects']: []")
