"""The one mapping table: every status, development kind, sector and scheme of the tracker has an
entry, and every code in it is its standard's (checked against the codelist files)."""

import pytest
from django.conf import settings

from opendata import mappings
from projects.models import DevelopmentKind, Scheme, Sector, Status
from tests.opendata.standards import iati_codes, oc4ids_codes


def test_every_status_has_both_codes():
    assert set(mappings.OC4IDS_STATUS) == set(Status)
    assert set(mappings.IATI_ACTIVITY_STATUS) == set(Status)
    assert set(filter(None, mappings.OC4IDS_STATUS.values())) <= oc4ids_codes("projectStatus")
    assert set(mappings.IATI_ACTIVITY_STATUS.values()) <= iati_codes("ActivityStatus")


def test_every_development_kind_has_a_milestone():
    assert set(mappings.OC4IDS_MILESTONE) == set(DevelopmentKind)
    types = {m.type for m in mappings.OC4IDS_MILESTONE.values()} - {None}
    codes = {m.code for m in mappings.OC4IDS_MILESTONE.values()} - {None}
    assert types <= oc4ids_codes("milestoneType")
    assert codes <= oc4ids_codes("milestoneCode")


@pytest.mark.django_db
def test_every_sector_and_scheme_of_the_plan_has_an_entry(plan_data):
    assert set(Sector.objects.values_list("code", flat=True)) == set(mappings.OC4IDS_SECTOR)
    assert set(Scheme.objects.values_list("code", flat=True)) == set(mappings.OC4IDS_FINANCE)
    assert set(filter(None, mappings.OC4IDS_SECTOR.values())) <= oc4ids_codes("projectSector")
    # The IATI sector is each sector's own DAC code: every one is a DAC 5-digit purpose code.
    assert {str(code) for code in Sector.objects.values_list("dac_code", flat=True)} <= iati_codes("Sector")


def test_finance_codes_are_the_closed_lists():
    for finance in filter(None, mappings.OC4IDS_FINANCE.values()):
        assert finance.type in oc4ids_codes("financingArrangementType")
        assert finance.party_type in oc4ids_codes("financingPartyType")


def test_iati_constants_are_codelist_codes():
    assert mappings.IATI_START_DATE_TYPE in iati_codes("ActivityDateType")
    assert {mappings.IATI_REPORTING_ORG_ROLE, mappings.IATI_FUNDING_ROLE} <= iati_codes("OrganisationRole")
    assert {mappings.IATI_ODA_FUNDER["type"], settings.IATI_REPORTING_ORG_TYPE} <= iati_codes(
        "OrganisationType"
    )
