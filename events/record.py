"""Writing the outbox: each audited change of a project, a development or a status change
writes one Event in the same transaction (simple-history's post_create_historical_record),
and publishing an edition writes its own (`edition_published`).

The audit rows that are part of another change (projects.audit.part_of_another_change: the
project's row beside a status change, a new project's first status change, the rows deleted
with their project) write no event: the change they belong to has one. Unlike the change log,
an import's rows each write their event: a follower of one project hears of its new
development, not of "an import". The fixture's own audit rows (the plan's import: a project's
"changed" rows that no service wrote, so no user was named) write none.
"""

from django.db import transaction
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from events.models import Event, EventKind
from projects import audit
from projects.models import Development, Project, StatusChange
from watches.query import watchers


def project_payload(project: Project) -> dict:
    return {
        "number": project.number,
        "name": project.name,
        "name_en": project.name_en,
        "country": project.country.iso_code if project.country_id else None,
    }


def _development(development: Development) -> dict:
    return {
        "id": development.pk,
        "kind": development.kind,
        "text": development.text,
        "date": development.date.isoformat() if development.date else None,
        "date_precision": development.date_precision,
        "date_end": development.date_end.isoformat() if development.date_end else None,
        "source": development.source,
    }


def _status_change(change: StatusChange) -> dict:
    return {
        "id": change.pk,
        "status": change.status,
        "previous_status": change.previous_status,
        "effective_on": change.effective_on.isoformat() if change.effective_on else None,
        "note": change.note,
    }


def _changed_fields(history_instance, previous) -> list[str]:
    return sorted(change.field for change in history_instance.diff_against(previous).changes)


@receiver(post_create_historical_record, dispatch_uid="events.record.audited_change")
def _audited_change(sender, instance, history_instance, **kwargs):
    kinds = audit.ROW_KINDS.get(type(instance))
    if kinds is None or audit.part_of_another_change(instance):
        return
    kind = EventKind(kinds[history_instance.history_type])
    via, _folded = audit.current_origin()
    project = instance if isinstance(instance, Project) else instance.project
    payload = {"project": project_payload(project)}
    if isinstance(instance, Project) and kind == EventKind.PROJECT_CHANGED:
        if history_instance.history_user_id is None and not hasattr(instance, "_history_user"):
            return  # loading the plan's fixture: its sectors and schemes set, no service's change
        previous = history_instance.prev_record  # one read: the first row? which fields?
        if previous is None:
            kind = EventKind.PROJECT_ADDED  # project_create's one row, written as "changed" first
        else:
            payload["fields"] = _changed_fields(history_instance, previous)
    elif kind == EventKind.PROJECT_DELETED:
        # Who watched it, read before its watches, sectors and schemes went with it.
        payload["watchers"] = getattr(instance, "_event_watchers", [])
    elif isinstance(instance, Development):
        payload["development"] = _development(instance)
    elif isinstance(instance, StatusChange):
        payload["status_change"] = _status_change(instance)
    Event.objects.create(
        kind=kind,
        project=None if kind == EventKind.PROJECT_DELETED or project.pk is None else project,
        project_number=project.number,
        actor=history_instance.history_user,
        via=via,
        occurred=history_instance.history_date,
        payload=payload,
    )


@receiver(pre_delete, sender=Project, dispatch_uid="events.record.deleting_project")
def _deleting_project(sender, instance, **kwargs):
    # Django sends every pre_delete of a deletion before it deletes anything.
    instance._event_watchers = sorted(watchers(instance).values_list("pk", flat=True))


def edition_published(edition, previous, *, user=None) -> None:
    """The events of publishing `edition`: the edition's own, and one per project it adds to
    or drops from `previous` (None: the first edition adds none)."""
    assert transaction.get_connection().in_atomic_block, "written in the publication's transaction"
    listed = dict(edition.listings.values_list("project_id", "number"))
    events = [
        Event(
            kind=EventKind.EDITION_PUBLISHED,
            edition_year=edition.year,
            actor=user,
            payload={"edition": {"year": edition.year, "title": edition.title, "projects": len(listed)}},
        )
    ]
    if previous is not None:
        before = set(previous.listings.values_list("project_id", flat=True))
        changed = (set(listed) - before) | (before - set(listed))
        for project in Project.objects.filter(pk__in=changed).select_related("country"):
            kind = EventKind.LISTED if project.pk in listed else EventKind.UNLISTED
            payload = {"project": project_payload(project), "edition": {"year": edition.year}}
            if kind == EventKind.LISTED:
                payload["edition"]["number"] = listed[project.pk]
            events.append(
                Event(
                    kind=kind,
                    project=project,
                    project_number=project.number,
                    edition_year=edition.year,
                    actor=user,
                    payload=payload,
                )
            )
    Event.objects.bulk_create(events)
