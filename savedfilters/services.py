"""Writes of saved filters: a default view replaces the owner's previous one in the same
transaction, so the one-default constraint is never what refuses the user."""

from django.db import transaction

import readcache.version
from savedfilters.models import SavedFilter


@transaction.atomic
def saved_filter_save(*, saved_filter: SavedFilter) -> SavedFilter:
    """Check (the query normalised, the name unique for the owner) and store `saved_filter`."""
    if saved_filter.is_default:
        # Rolled back with the rest if the checks below refuse the filter.
        others = SavedFilter.objects.filter(owner_id=saved_filter.owner_id, is_default=True)
        if saved_filter.pk:
            others = others.exclude(pk=saved_filter.pk)
        others.update(is_default=False)
        readcache.version.bump()  # update() sends no signal (readcache.signals)
    saved_filter.full_clean()
    saved_filter.save()
    return saved_filter


def saved_filter_create(*, owner, name: str, query, is_default: bool = False) -> SavedFilter:
    return saved_filter_save(
        saved_filter=SavedFilter(owner=owner, name=name, query=query, is_default=is_default)
    )


def default_filter(user) -> SavedFilter | None:
    """The saved filter `user`'s project list opens with, if any."""
    return SavedFilter.objects.owned_by(user).filter(is_default=True).first()
