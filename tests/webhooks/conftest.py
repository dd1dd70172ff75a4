"""A real HTTP receiver on 127.0.0.1 that checks each request's signature the way the README
tells receivers to, and answers the statuses a test queues (200 when none)."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from events import sequence
from webhooks.models import Endpoint, Topic


def verify(secret: str, headers, body: bytes) -> bool:
    """The receiver's check, as documented."""
    timestamp = headers["X-Tracker-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"sha256={expected}", headers["X-Tracker-Signature"])


class Receiver:
    def __init__(self):
        self.requests, self.statuses, self.secret = [], [], ""
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append(
                        {
                            "headers": dict(self.headers),
                            "json": json.loads(body),
                            "verified": verify(receiver.secret, self.headers, body),
                        }
                    )
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook?x=1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def endpoint(self, topics=None, **fields) -> Endpoint:
        """An endpoint of this receiver that hears of what happens from now on."""
        fields.setdefault("cursor", sequence.assign())
        fields.setdefault("url", self.url)
        endpoint = Endpoint.objects.create(events=topics or list(Topic.values), **fields)
        self.secret = endpoint.secret
        return endpoint

    def keys(self) -> list[str]:
        return [request["headers"]["X-Tracker-Delivery"] for request in self.requests]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


class Clock:
    """The pass's time, moved by the test."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now
