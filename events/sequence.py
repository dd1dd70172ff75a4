"""Numbering the outbox in commit order.

An Event's id is taken when its transaction writes it, so a smaller id can commit after a
larger one, and a reader that followed ids could step over it. `assign()` numbers the
committed events that have no `seq` yet, one after another, under a lock on the single
EventSequence row: an event still uncommitted when it runs gets a larger `seq` in a later run.
Readers (the digests, the webhooks) keep the last `seq` they handled and read the ones above.
"""

from django.db import transaction
from django.db.models import Max

from events.models import Event, EventSequence


def assign() -> int:
    """Number the committed events without a `seq`; return the last `seq` given so far."""
    with transaction.atomic():
        counter, _ = EventSequence.objects.select_for_update().get_or_create(pk=1)
        pending = list(Event.objects.filter(seq=None).order_by("id").only("id"))
        if not pending:
            return counter.last
        for offset, event in enumerate(pending, start=1):
            event.seq = counter.last + offset
        Event.objects.bulk_update(pending, ["seq"], batch_size=500)
        counter.last += len(pending)
        counter.save(update_fields=["last"])
        return counter.last


def last() -> int:
    """The last `seq` given (0: none)."""
    return Event.objects.aggregate(last=Max("seq"))["last"] or 0
