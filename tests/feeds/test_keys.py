"""Feed keys: stored hashed, opening their user's feeds only (not the API, not the admin), and
refused alike when unknown, revoked, expired or their user inactive; an address that keeps
guessing is locked out."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from feeds.models import FeedKey
from tests.factories import UserFactory
from tests.feeds.conftest import parse
from tokens.models import APIToken

pytestmark = pytest.mark.django_db


def feed(key):
    return f"/feeds/{key}/developments.atom"


def test_only_a_hash_of_the_key_is_stored(key):
    prefix, secret = key.split(".")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM feeds_feedkey")
        rows = cursor.fetchall()

    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert secret not in stored
    assert prefix in stored  # the prefix finds the row, as for API tokens
    assert FeedKey.objects.get().hashed_key.startswith("sha512$$")


def test_a_key_opens_its_feeds_and_notes_its_use(client, portfolio, key):
    parse(client.get(feed(key)))
    parse(client.get(f"/feeds/{key}/watching.atom"))

    assert FeedKey.objects.get().last_used is not None


@pytest.mark.parametrize(
    "state", ["unknown", "wrong secret", "revoked", "expired", "inactive user", "no role"]
)
def test_a_key_that_may_not_open_the_feed_is_not_found(client, portfolio, key, reader, state):
    prefix, secret = key.split(".")
    feed_key = FeedKey.objects.get()
    if state == "unknown":
        key = "abcdefgh." + "x" * 32
    elif state == "wrong secret":
        key = f"{prefix}.{'y' * len(secret)}"
    elif state == "revoked":
        FeedKey.objects.filter(pk=feed_key.pk).update(revoked=True)
    elif state == "expired":
        FeedKey.objects.filter(pk=feed_key.pk).update(expiry_date=timezone.now() - timedelta(seconds=1))
    elif state == "inactive user":
        reader.is_active = False
        reader.save()
    elif state == "no role":
        reader.groups.clear()

    developments = client.get(feed(key))
    watching = client.get(f"/feeds/{key}/watching.atom")

    assert developments.status_code == watching.status_code == 404
    assert b"Dhaka" not in developments.content and "ダッカ".encode() not in developments.content


def test_a_feed_key_is_no_api_token_nor_a_login(client, portfolio, key):
    api = client.get("/api/projects/", HTTP_AUTHORIZATION=f"Token {key}")
    admin = client.get("/admin/", HTTP_AUTHORIZATION=f"Token {key}")

    assert api.status_code == 401
    assert admin.status_code == 302 and "/login/" in admin["Location"]


def test_an_api_token_opens_no_feed(client, portfolio, reader):
    _token, api_key = APIToken.objects.issue(user=reader, name="script", read_only=True)

    assert client.get(feed(api_key)).status_code == 404
    assert client.get(feed("abcdefgh.nothing"), HTTP_AUTHORIZATION=f"Token {api_key}").status_code == 404
    assert client.get("/api/projects/", HTTP_AUTHORIZATION=f"Token {api_key}").status_code == 200


def test_a_session_opens_no_feed_without_its_key(client, portfolio, reader):
    client.force_login(reader)

    assert client.get(feed("KEY")).status_code == 404


def test_an_address_that_keeps_guessing_is_locked_out(client, portfolio, key, settings):
    settings.API_AUTH_FAILURE_LIMIT = 3
    for guess in range(3):
        assert client.get(feed(f"abcdefgh.guess{guess}")).status_code == 404

    response = client.get(feed(key))  # even the right key, until the window ends

    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.API_AUTH_LOCKOUT_SECONDS)
    other_address = client.get(feed(key), REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 200


def test_a_key_of_one_user_reads_that_users_watches(client, portfolio, key, reader):
    from tests.factories import WatchFactory

    other = UserFactory(username="other", role="閲覧者")
    WatchFactory(user=other, project=portfolio["hanoi"])
    _feed_key, other_key = FeedKey.objects.issue(user=other, name="Teams")

    mine = parse(client.get(f"/feeds/{key}/watching.atom"))
    theirs = parse(client.get(f"/feeds/{other_key}/watching.atom"))

    assert len(mine.findall("{http://www.w3.org/2005/Atom}entry")) == 0
    assert len(theirs.findall("{http://www.w3.org/2005/Atom}entry")) == 1


def test_no_log_line_holds_a_key(client, portfolio, key, caplog):
    prefix, secret = key.split(".")
    wrong = f"{prefix}.{'z' * len(secret)}"

    with caplog.at_level("INFO"):
        bad_filter = client.get(feed(key) + "?country=ZZ")
        refused = client.get(feed(wrong))

    assert bad_filter.status_code == 400 and refused.status_code == 404
    assert "feed_key_refused" in caplog.text and prefix in caplog.text
    assert secret not in caplog.text and "z" * len(secret) not in caplog.text
