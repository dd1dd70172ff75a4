"""The "Feed subscriptions" page: a reader creates a key (shown once, in the feeds' URLs for the
overview's filters and for their watches), lists and revokes their own keys only."""

import re

import pytest

from accounts.roles import VIEWER
from feeds.models import MAX_ACTIVE_KEYS, FeedKey
from tests.factories import UserFactory
from tests.feeds.conftest import parse

pytestmark = pytest.mark.django_db

PAGE = "/feeds/"


def urls(response) -> list[str]:
    return re.findall(r'value="(http://testserver/feeds/[^"]+)"', response.content.decode())


def test_the_page_needs_a_login_and_the_right_to_read_developments(client):
    assert client.get(PAGE).status_code == 302
    client.force_login(UserFactory(role=None))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"name": "Outlook"}).status_code == 403
    assert not FeedKey.objects.exists()


def test_creating_a_key_shows_its_feed_urls_once(client, portfolio, reader):
    client.force_login(reader)

    created = client.post(f"{PAGE}?country=BD", {"name": "Outlook"})
    again = client.get(f"{PAGE}?country=BD")

    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    feed_key = FeedKey.objects.get(user=reader)
    assert feed_key.name == "Outlook"
    shown = urls(created)
    key = re.search(r'class="feeds-key">([^<]+)<', created.content.decode()).group(1)
    assert key.startswith(feed_key.prefix + ".")
    assert shown == [
        f"http://testserver/feeds/{key}/developments.atom?country=BD&amp;lang=ja",
        f"http://testserver/feeds/{key}/developments.atom?country=BD&amp;lang=en",
        f"http://testserver/feeds/{key}/watching.atom?lang=ja",
        f"http://testserver/feeds/{key}/watching.atom?lang=en",
    ]
    root = parse(client.get(shown[0].replace("&amp;", "&")))
    assert len(root.findall("{http://www.w3.org/2005/Atom}entry")) == 2  # Bangladesh's
    # Later, the page lists the key by its prefix; the key itself is never shown again.
    assert again.status_code == 200
    assert key not in again.content.decode()
    assert feed_key.prefix in again.content.decode()
    assert "バングラデシュ" in again.content.decode()  # the filters, named


def test_the_page_in_english(client, portfolio, reader):
    client.force_login(reader)
    client.cookies["django_language"] = "en"

    page = client.get(f"{PAGE}?country=BD")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Feed subscriptions" in html and "Bangladesh" in html
    assert "/feeds/KEY/developments.atom?country=BD&amp;lang=en" in html


def test_bad_filters_are_a_400_and_create_no_key(client, portfolio, reader):
    client.force_login(reader)

    page = client.get(f"{PAGE}?country=ZZ")
    post = client.post(f"{PAGE}?colour=red", {"name": "Outlook"})

    assert page.status_code == post.status_code == 400
    assert "<code>country</code>" in page.content.decode()
    assert "<code>colour</code>" in post.content.decode()
    assert not FeedKey.objects.exists()


def test_a_name_is_required_and_keys_are_few(client, reader):
    client.force_login(reader)
    for number in range(MAX_ACTIVE_KEYS):
        FeedKey.objects.issue(user=reader, name=f"reader {number}")

    unnamed = client.post(PAGE, {"name": " "})
    too_many = client.post(PAGE, {"name": "one more"})

    assert unnamed.status_code == too_many.status_code == 400
    assert FeedKey.objects.count() == MAX_ACTIVE_KEYS


def test_revoking_a_key_closes_its_feeds(client, portfolio, reader, key):
    client.force_login(reader)
    prefix = key.split(".")[0]

    response = client.post(f"/feeds/keys/{prefix}/revoke/?country=BD")

    assert response.status_code == 302 and response["Location"] == "/feeds/?country=BD"
    assert FeedKey.objects.get().revoked
    assert client.get(f"/feeds/{key}/developments.atom").status_code == 404
    assert prefix not in client.get(PAGE).content.decode()  # revoked keys leave the list
    assert client.post(f"/feeds/keys/{prefix}/revoke/").status_code == 404  # once


def test_a_user_cannot_see_or_revoke_anothers_key(client, portfolio, key):
    prefix = key.split(".")[0]
    client.force_login(UserFactory(username="other", role=VIEWER))

    page = client.get(PAGE)
    revoke = client.post(f"/feeds/keys/{prefix}/revoke/")

    assert prefix not in page.content.decode()
    assert revoke.status_code == 404
    assert not FeedKey.objects.get().revoked
    assert client.get(f"/feeds/keys/{prefix}/revoke/").status_code == 405


def test_the_overview_links_to_the_page_with_its_filters(client, portfolio, reader):
    client.force_login(reader)

    html = client.get("/?country=BD").content.decode()

    assert 'href="/feeds/?country=BD"' in html
