"""The one table from the tracker's vocabularies to OC4IDS 0.9.5 and IATI 2.03 codes.

Every code here is checked against the standards' own codelist files by the tests
(tests/opendata/test_mappings.py), and every status, development kind, sector and scheme of the
tracker has an entry (None where the standard has no honest equivalent: the field is left out).
The README's "Open data" section repeats these tables with the same reasons.
"""

from typing import NamedTuple

from projects.choices import DatePrecision, DevelopmentKind, Status

# Status → OC4IDS projectStatus (a closed codelist) and IATI ActivityStatus.
#
# - procurement → OC4IDS `implementation`, not `preparation`: the codelist says "Implementation
#   covers the procurement and implementation of the group of works ... This differs from ...
#   OCDS". (DOMAIN.md's table said `preparation`; the codelist's own words decide.)
# - operation → `maintenance`: "This stage is also called operation".
# - suspended → no OC4IDS status: the closed list has no "on hold" stage, and any stage would be
#   a guess at where the project stopped. IATI has one: 6 Suspended.
# - IATI 1 (Pipeline/identification) for everything before a main contract: "being scoped or
#   planned"; 2 from the main contract on (implementation, operation); 4 Closed for completed.
OC4IDS_STATUS = {
    Status.IDENTIFICATION: "identification",
    Status.PREPARATION: "preparation",
    Status.PROCUREMENT: "implementation",
    Status.IMPLEMENTATION: "implementation",
    Status.OPERATION: "maintenance",
    Status.COMPLETED: "completion",
    Status.SUSPENDED: None,
    Status.CANCELLED: "cancelled",
}
IATI_ACTIVITY_STATUS = {
    Status.IDENTIFICATION: "1",
    Status.PREPARATION: "1",
    Status.PROCUREMENT: "1",
    Status.IMPLEMENTATION: "2",
    Status.OPERATION: "2",
    Status.COMPLETED: "4",
    Status.SUSPENDED: "6",
    Status.CANCELLED: "5",
}

# Sector code → OC4IDS projectSector (an open codelist; only its own codes are used). The IATI
# sector is the Sector row's own DAC code (dac_code), not a table here.
#
# - port and maritime → transport.water ("ports and inland waterways").
# - logistics and transport-soft (MaaS, bus systems, ITS) → `transport`, the parent: the codelist
#   allows it ("A more detailed breakdown may be provided"), and neither is one mode;
#   transport.urban would claim urban mobility for ITS on highways too.
# - disaster (治水, 河川, ダム, 海岸) → naturalResources.floodProtection.
# - urban (都市開発・不動産・住宅・スマートシティ) and construction (the construction industry and
#   its technology) → none: the codelist has no urban-development code (socialHousing is social
#   housing only) and the construction industry is not the sector of an asset.
OC4IDS_SECTOR = {
    "rail": "transport.rail",
    "port": "transport.water",
    "aviation": "transport.air",
    "maritime": "transport.water",
    "logistics": "transport",
    "transport-soft": "transport",
    "urban": None,
    "water": "waterAndWaste",
    "disaster": "naturalResources.floodProtection",
    "road": "transport.road",
    "construction": None,
}


class Finance(NamedTuple):
    """OC4IDS budget.finance for a scheme: no amount, no party; only what the scheme means."""

    type: str  # financingArrangementType (closed)
    party_type: str  # financingPartyType (closed)
    concessional: bool


# Scheme code → OC4IDS Finance, where the scheme itself says what the finance is.
#
# - oda-loan (円借款, an L/A): a loan from Japan's bilateral ODA, concessional by definition of
#   ODA lending.
# - oda-grant (無償資金協力, a G/A): a grant, bilateral.
# - oda (type not stated), oda-tc (technical cooperation: experts and training, not a financing
#   arrangement), ppp, join (出資 or 支援: equity or other support, not said which), private:
#   none, since the row does not say which instrument.
OC4IDS_FINANCE = {
    "oda": None,
    "oda-loan": Finance(type="loan", party_type="bilateral", concessional=True),
    "oda-grant": Finance(type="grant", party_type="bilateral", concessional=True),
    "oda-tc": None,
    "ppp": None,
    "join": None,
    "private": None,
}


class Milestone(NamedTuple):
    """OC4IDS milestoneType and milestoneCode (both open codelists; None: left out)."""

    type: str | None
    code: str | None


# Development kind → OC4IDS milestone type and code.
#
# - agreement (E/N, L/A, MoU signed) and award (a contract won) → `approval` ("the sign-off of a
#   contract or project"); decision (parliament, decree) → `approval` with code projectApproval.
# - study → preProcurement; procurement → procurement; construction and pilot → delivery;
#   diplomacy (visits, seminars) → engagement.
# - setback and other → no type: no milestone type describes a delay, and `other` says nothing.
# - No `commencement` code for construction: "works started or under way" is not always a start.
OC4IDS_MILESTONE = {
    DevelopmentKind.AGREEMENT: Milestone("approval", None),
    DevelopmentKind.DECISION: Milestone("approval", "projectApproval"),
    DevelopmentKind.STUDY: Milestone("preProcurement", None),
    DevelopmentKind.PROCUREMENT: Milestone("procurement", None),
    DevelopmentKind.AWARD: Milestone("approval", None),
    DevelopmentKind.CONSTRUCTION: Milestone("delivery", None),
    DevelopmentKind.PILOT: Milestone("delivery", None),
    DevelopmentKind.DIPLOMACY: Milestone("engagement", None),
    DevelopmentKind.SETBACK: Milestone(None, None),
    DevelopmentKind.OTHER: Milestone(None, None),
}

# Words in a development's text that make it a plan, not an event that happened (予定 planned,
# 見込み expected, 目指す/目標 aimed at): such a milestone gets no status "met".
PLANNED_WORDS = ("予定", "見込", "目指", "目標")

# Which precisions are a day: only those give OC4IDS a `dateMet` (a date-time). A month, a year
# or a fiscal year stays in the development's own text (which names it), never a made-up day.
EXACT_PRECISIONS = (DatePrecision.DAY,)

# IATI: the one activity-date the schema requires (minOccurs 1) is type 2 "Actual start"; the
# standard lets its start "reflect the commencement of ... planning", and its narrative "may
# contain text ... for accurately recording less specific dates such as month ... or year".
IATI_START_DATE_TYPE = "2"
# A development as a dated narrative: a description of type 4 (Other). IATI has no element for
# dated events of an activity's history (result is for outputs against indicators, document-link
# needs a document), and activity-date holds only the four start/end dates.
IATI_DEVELOPMENT_DESCRIPTION_TYPE = "4"
IATI_SUMMARY_DESCRIPTION_TYPE = "1"
# participating-org needs at least one: the reporting organisation, role 2 (Accountable).
IATI_REPORTING_ORG_ROLE = "2"
# An ODA scheme (円借款, 無償, 技術協力, ODA) is by definition the Government of Japan's ODA:
# funding (role 1) by Japan, identified by its OECD DAC donor code.
IATI_ODA_FUNDER = {
    "ref": "XM-DAC-701",
    "type": "10",
    "name_ja": "日本国政府",
    "name_en": "Government of Japan",
}
IATI_FUNDING_ROLE = "1"
