"""The guard against server-side request forgery: a webhook URL is https:// and its host
resolves to public addresses only, checked when an administrator saves it and again before
each POST, which then connects to the address checked (webhooks.http), so a DNS answer that
changes in between cannot turn the POST to an internal service. WEBHOOKS_ALLOW_PRIVATE=true
(tests, a closed network) allows http:// and private addresses."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

METADATA = ipaddress.ip_address("169.254.169.254")


class UnsafeURL(ValueError):
    """The URL may not be called; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str  # the checked IP address to connect to


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    forbidden = (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or ip == METADATA
    )
    return ip.is_global and not forbidden


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnsafeURL(_("The host name does not resolve: %(error)s") % {"error": error}) from error
    return list(dict.fromkeys(info[4][0] for info in infos))


def check(url: str, *, allow_private: bool | None = None) -> Target:
    """The URL's target, with the address to connect to; UnsafeURL when it may not be called."""
    if allow_private is None:
        allow_private = settings.WEBHOOKS_ALLOW_PRIVATE
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise UnsafeURL(_("Only https:// addresses are allowed."))
    if parts.username or parts.password:
        raise UnsafeURL(_("The address may not hold a user name or password."))
    try:
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeURL(_("The port is not valid.")) from error
    if not host:
        raise UnsafeURL(_("The address has no host."))
    addresses = _addresses(host, port)
    if not addresses:
        raise UnsafeURL(_("The host name does not resolve."))
    if not allow_private:
        refused = [address for address in addresses if not is_public(address)]
        if refused:
            raise UnsafeURL(
                _("The host resolves to a private or reserved address (%(address)s).")
                % {"address": refused[0]}
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=addresses[0])
