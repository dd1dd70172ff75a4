"""One pass of the webhooks (manage.py deliver_webhooks): every event reaches every active
endpoint subscribed to its topic at least once.

1. `events.sequence.assign()` numbers the committed events; `last` is the pass's end.
2. For each active endpoint, in a transaction of its own: its row is locked, a pending
   Delivery is created for each event (cursor, last] of a subscribed kind, and the cursor moves
   to `last`. A crash before the commit changes nothing.
3. Each due delivery (pending, next_attempt_at reached) is locked with skip_locked, POSTed and
   marked in one transaction: two passes never send one delivery at once. It is marked sent
   only after a 2xx: a crash between the answer and the commit leaves it pending, and the next
   pass sends it again with the same idempotency key, which receivers use to drop the repeat.
   A failure retries after min(base * 2**(attempts-1), cap); after WEBHOOKS_MAX_ATTEMPTS the
   delivery is failed for good, and after WEBHOOKS_MAX_FAILURES failures in a row the endpoint
   is turned off, with the reason.
"""

import hashlib
import hmac
import http.client
import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from events import sequence
from events.models import Event
from webhooks import http as webhook_http
from webhooks import safety
from webhooks.models import TOPIC_OF_KIND, Delivery, DeliveryStatus, Endpoint, kinds_for

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    queued: int = 0
    sent: int = 0
    failed: int = 0


def body_of(delivery: Delivery) -> bytes:
    """The JSON a delivery POSTs: the same bytes on every attempt."""
    event = delivery.event
    payload = event.payload or {}
    edition = payload.get("edition") or ({"year": event.edition_year} if event.edition_year else None)
    document = {
        "id": str(delivery.key),
        "type": TOPIC_OF_KIND[event.kind],
        "kind": event.kind,
        "occurred": event.occurred.isoformat(),
        "project": payload.get("project"),
        "edition": edition,
        "data": payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the endpoint's secret>."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def headers_for(delivery: Delivery, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "tracker-webhooks/1",
        "X-Tracker-Event": TOPIC_OF_KIND[delivery.event.kind],
        "X-Tracker-Delivery": str(delivery.key),
        "X-Tracker-Timestamp": str(timestamp),
        "X-Tracker-Signature": signature(delivery.endpoint.secret, timestamp, body),
    }


def enqueue(endpoint_id: int, *, last: int, now) -> int:
    """Create the endpoint's deliveries for the events (cursor, last]; return how many."""
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id, active=True).first()
        if endpoint is None or endpoint.cursor >= last:
            return 0
        events = Event.objects.filter(
            seq__gt=endpoint.cursor, seq__lte=last, kind__in=kinds_for(endpoint.events)
        ).values_list("pk", flat=True)
        created = Delivery.objects.bulk_create(
            [Delivery(endpoint=endpoint, event_id=pk, created=now, next_attempt_at=now) for pk in events],
            batch_size=500,
            ignore_conflicts=True,
        )
        endpoint.cursor = last
        endpoint.save(update_fields=["cursor"])
        return len(created)


def retry_delay(attempts: int) -> timedelta:
    seconds = settings.WEBHOOKS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.WEBHOOKS_RETRY_CAP_SECONDS))


def _attempt(delivery: Delivery, now) -> tuple[int | None, str]:
    """POST it: (HTTP status or None, error text, empty after a 2xx)."""
    try:
        target = safety.check(delivery.endpoint.url)
    except safety.UnsafeURL as error:
        return None, str(error)
    body = body_of(delivery)
    headers = headers_for(delivery, body, int(now.timestamp()))
    try:
        answer = webhook_http.post(target, body, headers, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS)
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}"
    if 200 <= answer.status < 300:
        return answer.status, ""
    return answer.status, _("HTTP %(status)s: %(body)s") % {
        "status": answer.status,
        "body": answer.body[:200].decode(errors="replace"),
    }


def mark(delivery: Delivery, *, status_code, error: str, now, duration_ms: int) -> bool:
    """Record the attempt; True when it was sent."""
    delivery.last_attempt_at, delivery.last_status_code = now, status_code
    delivery.last_error, delivery.last_duration_ms = error[:500], duration_ms
    endpoints = Endpoint.objects.filter(pk=delivery.endpoint_id)
    if not error:
        delivery.status, delivery.sent_at = DeliveryStatus.SENT, now
        delivery.save()
        endpoints.filter(consecutive_failures__gt=0).update(consecutive_failures=0)
        return True
    if delivery.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save()
    endpoints.update(consecutive_failures=F("consecutive_failures") + 1)
    limit = settings.WEBHOOKS_MAX_FAILURES
    reason = _("Turned off after %(count)s failed deliveries in a row; the last: %(error)s") % {
        "count": limit,
        "error": error,
    }
    endpoints.filter(active=True, consecutive_failures__gte=limit).update(
        active=False, disabled_reason=reason[:300]
    )
    return False


def deliver(delivery_id: int, *, now) -> bool | None:
    """Send one due delivery under its row lock: True sent, False failed, None skipped (not
    due, or another pass holds it)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "event")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(endpoint__active=True)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        started = time.monotonic()
        status_code, error = _attempt(delivery, now)
        duration_ms = int((time.monotonic() - started) * 1000)
        if error:
            log.warning(
                "webhook delivery %s to endpoint %s failed: %s", delivery.pk, delivery.endpoint_id, error
            )
        return mark(delivery, status_code=status_code, error=error, now=now, duration_ms=duration_ms)


def deliver_webhooks(*, clock=timezone.now) -> Outcome:
    """One pass: create the new deliveries, then send the due ones."""
    outcome = Outcome()
    last = sequence.assign()
    now = clock()
    for endpoint_id in Endpoint.objects.filter(active=True, cursor__lt=last).values_list("pk", flat=True):
        outcome.queued += enqueue(endpoint_id, last=last, now=now)
    due = (
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__active=True
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    for delivery_id in list(due):
        result = deliver(delivery_id, now=clock())
        outcome.sent += result is True
        outcome.failed += result is False
    return outcome
