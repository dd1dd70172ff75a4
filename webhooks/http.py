"""One POST to a checked target (webhooks.safety.Target) with the standard library's
http.client: the socket goes to the address checked, while TLS verifies the certificate
against the host name (SNI too). No redirect is followed (http.client follows none), the
whole exchange has WEBHOOKS_TIMEOUT_SECONDS per socket operation, and at most
MAX_RESPONSE_BYTES of the answer are read."""

import http.client
import socket
import ssl
from dataclasses import dataclass

from webhooks.safety import Target

MAX_RESPONSE_BYTES = 64 * 1024


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Response:
    status: int
    body: bytes


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float) -> Response:
    """POST `body`; OSError (refused, timed out, TLS) and http.client.HTTPException propagate."""
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        answer = connection.getresponse()
        return Response(status=answer.status, body=answer.read(MAX_RESPONSE_BYTES))
    finally:
        connection.close()
