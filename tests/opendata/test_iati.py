"""?format=iati: an IATI 2.03 iati-activities document of every project the list's filters
match, valid by the official XSDs, with codes from the codelists and only facts the data holds."""

import pytest
from lxml import etree

from opendata import mappings
from projects.models import Project, Status
from tests.opendata.conftest import content_of
from tests.opendata.standards import iati_codes, iati_errors

pytestmark = pytest.mark.django_db
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _document(api, query=""):
    content = content_of(api.get(f"/api/projects/?format=iati{query}"))
    return content, etree.fromstring(content)


def _check_codes(tree):
    for status in tree.xpath("//activity-status/@code"):
        assert status in iati_codes("ActivityStatus")
    for date_type in tree.xpath("//activity-date/@type"):
        assert date_type in iati_codes("ActivityDateType")
    for role in tree.xpath("//participating-org/@role"):
        assert role in iati_codes("OrganisationRole")
    for org_type in tree.xpath("//participating-org/@type | //reporting-org/@type"):
        assert org_type in iati_codes("OrganisationType")
    for country in tree.xpath("//recipient-country/@code"):
        assert country in iati_codes("Country")
    for sector in tree.xpath("//sector/@code"):
        assert sector in iati_codes("Sector")
    assert set(tree.xpath("//sector/@vocabulary")) <= {"1"}  # OECD DAC 5-digit


def test_real_plan_validates_with_every_project(api, plan_data):
    content, tree = _document(api)
    assert iati_errors(content) == []
    _check_codes(tree)
    assert tree.get("version") == "2.03"
    numbers = list(Project.objects.order_by("number").values_list("number", flat=True))
    assert tree.xpath("//iati-identifier/text()") == [f"XM-DAC-701-MLIT-{n}" for n in numbers]


def test_real_plan_values_are_the_data(api, plan_data):
    _content, tree = _document(api, "&country=ID")
    project = Project.objects.get(number=36)
    (activity,) = tree.xpath("//iati-activity[iati-identifier='XM-DAC-701-MLIT-36']")
    titles = {n.get(XML_LANG): n.text for n in activity.xpath("title/narrative")}
    assert titles == {"ja": project.name, "en": project.name_en}
    assert activity.xpath("description[@type='1']/narrative/text()") == [project.summary]
    assert activity.xpath("activity-status/@code") == ["2"]  # implementation
    assert activity.xpath("recipient-country/@code") == ["ID"]
    assert activity.xpath("sector/@code") == [str(s.dac_code) for s in project.sectors.all()]
    # The developments as dated narratives, in their order and precision.
    assert activity.xpath("description[@type='4']/narrative/text()") == [
        "2022年7月：2022年7月に我が国企業が土木を受注",
        "2023年3月：2023年3月にE/N署名、L/A締結（第二期）",
    ]
    # The start IATI requires is the earliest development, its month said in the narrative.
    (start,) = activity.xpath("activity-date")
    assert (start.get("type"), start.get("iso-date")) == ("2", "2022-07-01")
    assert start.xpath("narrative[@xml:lang='ja']/text()") == ["記録上最初の動き：2022年7月"]
    # ODA: funded by the Government of Japan; MLIT reports.
    assert activity.xpath("participating-org/@role") == ["2", "1"]
    assert activity.xpath("participating-org[@role='1']/@ref") == ["XM-DAC-701"]


def test_reporting_org_comes_from_settings(api, plan_data, settings):
    settings.IATI_REPORTING_ORG_REF = "JP-TEST-1"
    settings.IATI_REPORTING_ORG_TYPE = "10"
    content, tree = _document(api, "&country=TW")
    assert iati_errors(content) == []
    assert set(tree.xpath("//reporting-org/@ref")) == {"JP-TEST-1"}
    assert all(i.startswith("JP-TEST-1-") for i in tree.xpath("//iati-identifier/text()"))


def test_generated_projects_validate(api, generated):
    content, tree = _document(api)
    assert iati_errors(content) == []
    _check_codes(tree)
    assert len(tree.xpath("//iati-activity")) == len(generated)
    statuses = dict(
        zip(tree.xpath("//iati-identifier/text()"), tree.xpath("//activity-status/@code"), strict=True)
    )
    for project in generated:
        assert statuses[f"XM-DAC-701-MLIT-{project.number}"] == mappings.IATI_ACTIVITY_STATUS[project.status]
    suspended = next(p for p in generated if p.status == Status.SUSPENDED)
    assert statuses[f"XM-DAC-701-MLIT-{suspended.number}"] == "6"


def test_characters_xml_cannot_hold_are_replaced(api, generated):
    """A stored \\x0b or \\x01 (Word's line break) cannot be in XML 1.0 at all: U+FFFD instead."""
    content, tree = _document(api)
    assert b"\x0b" not in content and b"\x01" not in content
    assert "概要0\ufffd（改行）" in tree.xpath("//description[@type='1']/narrative/text()")


def test_several_sectors_get_no_invented_split(api, generated):
    _content, tree = _document(api)
    for activity in tree.xpath("//iati-activity"):
        sectors = activity.xpath("sector")
        if len(sectors) == 1:
            assert sectors[0].get("percentage") == "100"
        else:
            assert all(sector.get("percentage") is None for sector in sectors)


def test_no_dated_development_starts_at_the_edition(api, generated):
    bare = generated[-1]
    _content, tree = _document(api)
    (start,) = tree.xpath(f"//iati-activity[iati-identifier='XM-DAC-701-MLIT-{bare.number}']/activity-date")
    assert start.get("iso-date") == "2023-01-01"
    assert start.xpath("narrative[@xml:lang='en']/text()") == [
        "Listed in the 2023 action plan (start date not known)"
    ]
