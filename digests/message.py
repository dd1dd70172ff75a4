"""A digest's email, written once when it is prepared: its subject, plain text and HTML, in the
user's language, the events grouped by project (each with a link to its page) and the
reminders. Everything comes from the events' payloads (what each change was at the time), so
the message needs no query of its own."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import EventKind
from projects.choices import DevelopmentKind, Status
from projects.dates import format_partial_date
from projects.models import Project


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def project_url(number: int) -> str:
    return absolute(reverse("portal:project", args=[number]))


def message_id(digest) -> str:
    """The same for every send of one digest, so a mail client drops a repeat."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<digest-{digest.pk}.{digest.user_id}.{digest.to_seq}@{host}>"


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _date(value: str | None, precision: str | None, end: str | None = None) -> str:
    if not value:
        return ""
    parse = datetime.date.fromisoformat
    return format_partial_date(parse(value), precision, parse(end) if end else None)


def _field_names(fields: list[str]) -> str:
    names = []
    for name in fields:
        try:
            names.append(str(Project._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            names.append(name)
    return _(", ").join(names)


def describe(event) -> str:
    """One line telling what the event changed."""
    payload, kind = event.payload, event.kind
    development = payload.get("development") or {}
    change = payload.get("status_change") or {}
    edition = payload.get("edition") or {}
    text = {
        EventKind.PROJECT_ADDED: lambda: _("Project added"),
        EventKind.PROJECT_CHANGED: lambda: (
            _("Edited: %(fields)s") % {"fields": _field_names(payload.get("fields", []))}
        ),
        EventKind.PROJECT_DELETED: lambda: _("Project deleted"),
        EventKind.LISTED: lambda: (
            _("Added to the %(year)s edition (No. %(number)s)")
            % {"year": edition.get("year"), "number": edition.get("number")}
        ),
        EventKind.UNLISTED: lambda: _("Removed from the %(year)s edition") % {"year": edition.get("year")},
    }.get(kind)
    if text is not None:
        return text()
    if development:
        when = _date(development.get("date"), development.get("date_precision"), development.get("date_end"))
        what = f"[{_label(DevelopmentKind, development.get('kind'))}] " + (f"{when} " if when else "")
        lead = {
            EventKind.DEVELOPMENT_ADDED: _("New development"),
            EventKind.DEVELOPMENT_CHANGED: _("Development edited"),
            EventKind.DEVELOPMENT_DELETED: _("Development deleted"),
        }[kind]
        return f"{lead}: {what}{development.get('text', '')}"
    statuses = {
        "from": _label(Status, change.get("previous_status")),
        "to": _label(Status, change.get("status")),
    }
    lead = {
        EventKind.STATUS_CHANGED: _("Status changed: %(from)s → %(to)s"),
        EventKind.STATUS_CHANGE_EDITED: _("Status change edited: %(from)s → %(to)s"),
        EventKind.STATUS_CHANGE_DELETED: _("Status change deleted: %(from)s → %(to)s"),
    }.get(kind, "%(to)s")
    return lead % statuses


def _item(event) -> dict:
    actor = event.actor.get_full_name() or event.actor.get_username() if event.actor else ""
    return {"when": timezone.localtime(event.occurred), "text": describe(event), "actor": actor}


def _context(user, events, reminders, days) -> dict:
    editions, projects = [], {}
    for event in events:
        if event.kind == EventKind.EDITION_PUBLISHED:
            edition = event.payload.get("edition", {})
            editions.append({**edition, "when": timezone.localtime(event.occurred)})
            continue
        snapshot = event.payload.get("project", {})
        entry = projects.setdefault(event.project_number, {"number": event.project_number, "items": []})
        english = translation.get_language() == "en"
        entry["name"] = (snapshot.get("name_en") if english else "") or snapshot.get("name", "")
        entry["deleted"] = event.kind == EventKind.PROJECT_DELETED or event.project_id is None
        entry["url"] = "" if entry["deleted"] else project_url(event.project_number)
        entry["items"].append(_item(event))
    return {
        "user": user,
        "editions": editions,
        "projects": [projects[number] for number in sorted(projects)],
        "reminders": [
            {
                "number": p.number,
                "name": p.display_name,
                "url": project_url(p.number),
                "since": p.last_recorded,
            }
            for p in reminders
        ],
        "days": days,
        "site_url": settings.SITE_URL,
        "preference_url": absolute(reverse("admin:digests_preference_changelist")),
    }


def render(user, events, reminders, *, language: str, days: int, now) -> dict:
    """The digest's subject, text and HTML in `language`."""
    with translation.override(language):
        context = _context(user, events, reminders, days)
        date = timezone.localtime(now).date()
        counts = {"projects": len(context["projects"]), "date": date.isoformat()}
        if context["projects"]:
            subject = (
                ngettext(
                    "[Project tracker] %(projects)s watched project changed (%(date)s)",
                    "[Project tracker] %(projects)s watched projects changed (%(date)s)",
                    counts["projects"],
                )
                % counts
            )
        elif context["editions"]:
            subject = _("[Project tracker] A new edition was published (%(date)s)") % counts
        else:
            subject = _("[Project tracker] Projects waiting for an update (%(date)s)") % counts
        return {
            "subject": subject,
            "text": render_to_string("digests/digest.txt", context),
            "html": render_to_string("digests/digest.html", context),
        }
