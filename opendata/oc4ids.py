"""The project list as an OC4IDS 0.9.5 project package (JSON), streamed project by project.

Only what the data holds: no amounts, parties or days the source does not give (DOMAIN.md).
The codes come from opendata.mappings; tests validate the output against the official schemas
in opendata/standards/.
"""

import datetime
import json
from collections.abc import Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from opendata import mappings
from opendata.source import export_projects, last_updated
from projects.choices import DatePrecision
from projects.models import Development, Project

VERSION = "0.9"  # the package's schema version, "major.minor" as the schema's pattern asks
LANGUAGE = "ja"  # the source's language: title and description are Japanese
PUBLISHER = {"name": "国土交通省 (Ministry of Land, Infrastructure, Transport and Tourism, MLIT)"}
MEDIA_TYPE = "application/json"


def project_id(project: Project) -> str:
    """A stable id: the publisher's prefix and the tracker number, which never changes."""
    return f"{settings.OC4IDS_ID_PREFIX}-{project.number}"


def _datetime(value: datetime.date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def period_end(development: Development) -> datetime.date | None:
    """The last day of the period a development's date (or its range's end) names."""
    start = development.date_end or development.date
    if start is None:
        return None
    precision = development.date_precision
    if precision == DatePrecision.DAY:
        return start
    if precision == DatePrecision.MONTH:
        following = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return following - datetime.timedelta(days=1)
    if precision == DatePrecision.FISCAL_YEAR:
        return datetime.date(start.year + 1, 3, 31)
    return datetime.date(start.year, 12, 31)


def happened(development: Development, today: datetime.date) -> bool:
    """A dated event whose whole period is over and whose text does not call it planned."""
    end = period_end(development)
    if end is None or end >= today:
        return False
    return not any(word in development.text for word in mappings.PLANNED_WORDS)


def milestone(development: Development, today: datetime.date) -> dict:
    kind = mappings.OC4IDS_MILESTONE[development.kind]
    item = {"id": str(development.sequence), "description": development.text}
    if kind.type:
        item["type"] = kind.type
    if kind.code:
        item["code"] = kind.code
    # A day only when the source gives the day (mappings.EXACT_PRECISIONS); the text names the rest.
    if development.date_precision in mappings.EXACT_PRECISIONS and development.date_end is None:
        item["dateMet" if happened(development, today) else "dueDate"] = _datetime(development.date)
    if happened(development, today):
        item["status"] = "met"
    return item


def project_data(project: Project, today: datetime.date) -> dict:
    """One project as an OC4IDS project."""
    data = {
        "id": project_id(project),
        "updated": project.updated.isoformat(),
        "language": LANGUAGE,
        "title": project.name,
    }
    if project.name_en:
        # The OCDS convention for a translation: the field name with a language suffix.
        data["title_en"] = project.name_en
    if project.summary.strip():
        data["description"] = project.summary
    status = mappings.OC4IDS_STATUS[project.status]
    if status:
        data["status"] = status
    sectors = list(
        dict.fromkeys(filter(None, (mappings.OC4IDS_SECTOR.get(s.code) for s in project.sectors.all())))
    )
    if sectors:
        data["sector"] = sectors
    country = project.country
    data["locations"] = [
        {
            "id": "1",
            "description": f"{country.name_ja} ({country.name_en})",
            "gazetteer": {"scheme": "ISO2", "identifiers": [country.iso_code]},
        }
    ]
    finance = [
        {
            "id": scheme.code,
            "title": f"{scheme.name_ja} ({scheme.name_en})",
            "type": arrangement.type,
            "financingPartyType": arrangement.party_type,
            "concessional": arrangement.concessional,
        }
        for scheme in project.schemes.all()
        if (arrangement := mappings.OC4IDS_FINANCE.get(scheme.code))
    ]
    if finance:
        data["budget"] = {"finance": finance}
    milestones = [milestone(development, today) for development in project.developments.all()]
    if milestones:
        data["milestones"] = milestones
    return data


def package_stream(queryset: QuerySet, uri: str) -> Iterator[bytes]:
    """The package as UTF-8 JSON pieces: its head now, each project as it is read.

    An empty selection gives `"projects": []`, which the package schema (minItems 1) does not
    accept: there is no valid package of nothing, and an empty list says so plainly.
    """
    published = last_updated(queryset) or timezone.now()
    head = {"version": VERSION, "uri": uri, "publishedDate": published.isoformat(), "publisher": PUBLISHER}
    today = timezone.localdate()
    projects = export_projects(queryset)

    def pieces():
        yield json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "projects": ['
        for index, project in enumerate(projects):
            text = json.dumps(project_data(project, today), ensure_ascii=False)
            yield (text if index == 0 else ", " + text).encode()
        yield b"]}"

    return pieces()
