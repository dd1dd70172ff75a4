"""The `security` log: the client address, UTC timestamps, request ids, and log_event().

Loaded by LOGGING, before the apps are ready: it imports no models.

Every security event goes to the `security` logger as one line: the UTC time, the event, the
user, the client address and the request id, then event-specific fields. Passwords, token keys
and session ids are never logged (a token is named by its prefix only).
"""

import contextvars
import ipaddress
import logging
import time

from django.conf import settings

logger = logging.getLogger("security")

# The current request and its id, for log lines written far from the request (services, signals).
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
request_var: contextvars.ContextVar = contextvars.ContextVar("request", default=None)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind our own proxy the address the proxy saw.

    Only the last X-Forwarded-For entry is trusted (the one our proxy appended); the earlier
    ones are whatever the client sent. None when there is no valid address (a request built
    in code). Also axes' AXES_CLIENT_IP_CALLABLE, whose database column takes only addresses.
    """
    request = getattr(request, "_request", request)  # a DRF Request wraps the HttpRequest
    meta = getattr(request, "META", {})
    address = meta.get("REMOTE_ADDR", "")
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            address = forwarded[-1]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class UTCFormatter(logging.Formatter):
    """ISO 8601 timestamps in UTC, whatever TIME_ZONE says."""

    converter = time.gmtime

    def formatTime(self, record, datefmt=None):
        return (
            time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + f".{int(record.msecs):03d}Z"
        )


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, so any formatter may use it."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


def _username(user) -> str:
    try:
        if user is None or not user.is_authenticated:
            return "-"
        return user.get_username()
    except Exception:
        return "?"


def _clean(value) -> str:
    # One event, one line: a user name or path cannot forge another log line.
    return str(value).replace("\n", "\\n").replace("\r", "\\r").replace(" ", "\\x20")


def log_event(event: str, *, request=None, user=None, level: int = logging.INFO, **fields) -> None:
    """Write one security event: `event=... user=... ip=... request_id=... key=value ...`."""
    if request is None:
        request = request_var.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    parts = {
        "event": event,
        "user": fields.pop("username", None) or _username(user),
        "ip": (client_ip(request) if request is not None else None) or "-",
        "request_id": getattr(request, "request_id", None) or request_id_var.get(),
        **fields,
    }
    logger.log(level, " ".join(f"{key}={_clean(value)}" for key, value in parts.items()))
