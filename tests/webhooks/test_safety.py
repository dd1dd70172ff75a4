"""The SSRF guard: only https:// to public addresses, checked on the admin form and again at
send time; WEBHOOKS_ALLOW_PRIVATE lifts it."""

import socket

import pytest

from webhooks import safety


def _resolves_to(monkeypatch, address):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET

    def fake(host, port, *args, **kwargs):
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(safety.socket, "getaddrinfo", fake)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/in",
        "https://127.0.0.1/in",
        "https://10.0.0.1/in",
        "https://192.168.1.20/in",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/in",
        "https://[::ffff:127.0.0.1]/in",
        "https://[::ffff:169.254.169.254]/in",
        "https://0.0.0.0/in",
        "https://224.0.0.1/in",
        "https://[fe80::1]/in",
        "https://user:pw@93.184.216.34/in",
        "ftp://93.184.216.34/in",
    ],
)
def test_refused(url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(safety.UnsafeURL):
        safety.check(url)


@pytest.mark.parametrize(
    "address", ["10.1.2.3", "127.0.0.1", "169.254.169.254", "fd00::1", "::ffff:10.0.0.1"]
)
def test_a_host_name_resolving_to_a_private_address_is_refused(monkeypatch, settings, english, address):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    _resolves_to(monkeypatch, address)

    with pytest.raises(safety.UnsafeURL, match="private or reserved"):
        safety.check("https://hooks.example.com/in")


def test_a_host_name_resolving_to_a_public_address_is_pinned_to_it(monkeypatch, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    _resolves_to(monkeypatch, "93.184.216.34")

    target = safety.check("https://hooks.example.com:8443/in?a=1")

    assert (target.host, target.port, target.path, target.address) == (
        "hooks.example.com",
        8443,
        "/in?a=1",
        "93.184.216.34",
    )


def test_a_host_name_that_does_not_resolve_is_refused(monkeypatch, settings, english):
    def fail(*args, **kwargs):
        raise socket.gaierror("Name or service not known")

    monkeypatch.setattr(safety.socket, "getaddrinfo", fail)

    with pytest.raises(safety.UnsafeURL, match="does not resolve"):
        safety.check("https://nowhere.invalid/in")


def test_allow_private_lets_http_and_loopback_through(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True

    assert safety.check("http://127.0.0.1:8080/in").address == "127.0.0.1"
