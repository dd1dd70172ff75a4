"""The project list as an IATI 2.03 `iati-activities` document (XML), streamed activity by activity.

Written as text (no XML library at run time): every value goes through `_text`/`_attr`, which
escape it and replace the characters XML 1.0 cannot hold at all (control characters such as
Word's \\x0b, which a stored text may contain) with U+FFFD. Tests validate the output against the
official XSDs in opendata/standards/ with lxml.
"""

import datetime
import re
from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from opendata import mappings
from opendata.source import export_projects
from plans.selection import listed_edition
from projects.dates import format_partial_date
from projects.models import Project

VERSION = "2.03"
MEDIA_TYPE = "application/xml"
REPORTING_ORG_NAME = {"ja": "国土交通省", "en": "Ministry of Land, Infrastructure, Transport and Tourism"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", value))


def _attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("\ufffd", value))


def _narratives(texts: dict[str, str]) -> str:
    return "".join(
        f'<narrative xml:lang="{language}">{_text(text)}</narrative>'
        for language, text in texts.items()
        if text
    )


def activity_id(project: Project) -> str:
    """The reporting organisation's identifier and the tracker number (stable)."""
    return f"{settings.IATI_REPORTING_ORG_REF}-{project.number}"


def _reporting_org(tag: str, role: str | None = None) -> str:
    role_attr = f" role={_attr(role)}" if role else ""
    return (
        f"<{tag} ref={_attr(settings.IATI_REPORTING_ORG_REF)} type={_attr(settings.IATI_REPORTING_ORG_TYPE)}"
        f"{role_attr}>{_narratives(REPORTING_ORG_NAME)}</{tag}>"
    )


def _start_date(project: Project, edition_year: int | None) -> str:
    """The activity-date IATI requires: the earliest recorded development, else the edition that
    lists the project, else the day the tracker recorded it; its narrative says which it is."""
    dated = [d for d in project.developments.all() if d.date is not None]
    if dated:
        first = min(dated, key=lambda d: d.date)
        day = first.date
        said = {
            language: f"{label}{format_partial_date(first.date, first.date_precision, language=language)}"
            for language, label in (("ja", "記録上最初の動き："), ("en", "Earliest recorded development: "))
        }
    elif edition_year is not None:
        day = datetime.date(edition_year, 1, 1)
        said = {
            "ja": f"{edition_year}年版の行動計画に掲載（開始日は不明）",
            "en": f"Listed in the {edition_year} action plan (start date not known)",
        }
    else:
        day = timezone.localdate(project.created)
        said = {
            "ja": "トラッカーへの登録日（開始日は不明）",
            "en": "Recorded in the tracker (start date not known)",
        }
    return (
        f'<activity-date type="{mappings.IATI_START_DATE_TYPE}" iso-date="{day.isoformat()}">'
        f"{_narratives(said)}</activity-date>"
    )


def activity(project: Project, edition_year: int | None) -> str:
    """One project as an iati-activity, its elements in the schema's order."""
    parts = [
        f'<iati-activity last-updated-datetime="{project.updated.isoformat()}" xml:lang="ja">',
        f"<iati-identifier>{_text(activity_id(project))}</iati-identifier>",
        _reporting_org("reporting-org"),
        f"<title>{_narratives({'ja': project.name, 'en': project.name_en})}</title>",
    ]
    if project.summary.strip():
        parts.append(
            f'<description type="{mappings.IATI_SUMMARY_DESCRIPTION_TYPE}">'
            f"{_narratives({'ja': project.summary})}</description>"
        )
    for development in project.developments.all():
        when = format_partial_date(development.date, development.date_precision, development.date_end, "ja")
        parts.append(
            f'<description type="{mappings.IATI_DEVELOPMENT_DESCRIPTION_TYPE}">'
            f"{_narratives({'ja': f'{when}：{development.text}' if when else development.text})}</description>"
        )
    parts.append(_reporting_org("participating-org", mappings.IATI_REPORTING_ORG_ROLE))
    if any(scheme.family == "ODA" for scheme in project.schemes.all()):
        funder = mappings.IATI_ODA_FUNDER
        parts.append(
            f'<participating-org ref="{funder["ref"]}" type="{funder["type"]}" role="{mappings.IATI_FUNDING_ROLE}">'
            f"{_narratives({'ja': funder['name_ja'], 'en': funder['name_en']})}</participating-org>"
        )
    parts.append(f'<activity-status code="{mappings.IATI_ACTIVITY_STATUS[project.status]}"/>')
    parts.append(_start_date(project, edition_year))
    parts.append(f'<recipient-country code={_attr(project.country.iso_code)} percentage="100"/>')
    codes = list(dict.fromkeys(str(sector.dac_code) for sector in project.sectors.all()))
    # One sector takes 100%; for several the data holds no split, and none is invented.
    percentage = ' percentage="100"' if len(codes) == 1 else ""
    parts.extend(f'<sector vocabulary="1" code={_attr(code)}{percentage}/>' for code in codes)
    parts.append("</iati-activity>")
    return "".join(parts)


def activities_stream(queryset: QuerySet) -> Iterator[bytes]:
    """The document as UTF-8 pieces: its head now, each activity as it is read.

    An empty selection gives an iati-activities element with no activity, which the XSD
    (minOccurs 1) does not accept: there is no valid document of nothing.
    """
    edition = listed_edition(queryset)
    edition_year = edition.year if edition else None
    generated = timezone.now().isoformat(timespec="seconds")
    projects = export_projects(queryset)

    def pieces():
        yield (
            f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<iati-activities version="{VERSION}" generated-datetime="{generated}">'
        ).encode()
        for project in projects:
            yield activity(project, edition_year).encode()
        yield b"</iati-activities>\n"

    return pieces()
