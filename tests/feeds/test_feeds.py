"""The Atom feeds: valid Atom, one entry per development newest first, the list's filters
(a bad one is a 400), the watch feed, both languages, and a fixed number of queries."""

import pytest

from feeds.query import LIMIT
from tests.factories import DevelopmentFactory, UserFactory, WatchFactory
from tests.feeds.conftest import ATOM, entries, entry_ids, parse
from watches.query import watched_projects

pytestmark = pytest.mark.django_db


def developments_url(key, query=""):
    return f"/feeds/{key}/developments.atom" + (f"?{query}" if query else "")


def watching_url(key, query=""):
    return f"/feeds/{key}/watching.atom" + (f"?{query}" if query else "")


def tag(development):
    return f"tag:testserver,2026:development/{development.pk}"


def test_the_feed_is_atom_with_one_entry_per_development_newest_first(client, portfolio, key):
    root = parse(client.get(developments_url(key)))

    developments = portfolio["developments"]
    assert entry_ids(root) == [tag(developments[name]) for name in ("hanoi", "chittagong", "dhaka")]
    assert root.findtext(f"{ATOM}id").startswith("tag:testserver,2026:feeds/developments")
    assert root.find(f"{ATOM}author/{ATOM}name").text  # a feed author, for entries without one
    dhaka = entries(root)[2]
    assert dhaka.find(f"{ATOM}link").get("href") == "http://testserver/projects/7/"
    assert dhaka.findtext(f"{ATOM}title") == "No. 7 ダッカ都市鉄道 — 合意・署名（{}年1月）".format(
        developments["dhaka"].date.year
    )
    assert dhaka.findtext(f"{ATOM}author/{ATOM}name") == "太郎 田中"
    assert dhaka.findtext(f"{ATOM}updated") == developments["dhaka"].recorded_at.isoformat()
    assert dhaka.find(f"{ATOM}category").get("term") == "合意・署名"
    summary = dhaka.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "バングラデシュ" in summary.text and "円借款契約に署名。<br>第2期も協議中" in summary.text
    # The text is escaped once for HTML: a reader shows "<b>", it does not make bold text.
    assert "&lt;b&gt;調査&lt;/b&gt; &amp; 設計" in entries(root)[1].find(f"{ATOM}summary").text
    assert entries(root)[1].find(f"{ATOM}author") is None  # recorded by no one


def test_english_feed(client, portfolio, key):
    root = parse(client.get(developments_url(key, "lang=en")))

    titles = [entry.findtext(f"{ATOM}title") for entry in entries(root)]
    assert titles[0] == "No. 9 Hanoi Metro — Award to a Japanese company"
    assert titles[2].startswith("No. 7 Dhaka Mass Transit — Agreement (Jan")
    assert "Bangladesh" in entries(root)[2].findtext(f"{ATOM}summary")
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert root.findtext(f"{ATOM}title").startswith("Developments |")


def test_filters_select_the_projects(client, portfolio, key):
    developments = portfolio["developments"]

    by_country = parse(client.get(developments_url(key, "country=BD")))
    by_both = parse(client.get(developments_url(key, "country=BD&sector=rail")))
    by_search = parse(client.get(developments_url(key, "q=ハノイ")))

    assert entry_ids(by_country) == [tag(developments["chittagong"]), tag(developments["dhaka"])]
    assert entry_ids(by_both) == [tag(developments["dhaka"])]
    assert entry_ids(by_search) == [tag(developments["hanoi"])]
    assert "バングラデシュ" in by_country.findtext(f"{ATOM}title")
    alternate = by_country.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == "http://testserver/?country=BD"


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("country=ZZ", "country"),
        ("status=nonsense", "status"),
        ("won=maybe", "won"),
        ("country=", "country"),
        ("colour=red", "colour"),
        ("ordering=name", "ordering"),
        ("lang=fr", "lang"),
        ("q=%00", "q"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(client, portfolio, key, query, parameter):
    response = client.get(developments_url(key, query))

    assert response.status_code == 400
    assert response.content.decode().startswith(f"{parameter}:")


def test_the_watch_feed_is_the_watched_projects_developments(client, portfolio, key, reader):
    WatchFactory(user=reader, project=portfolio["chittagong"])
    WatchFactory(user=reader, sector=portfolio["rail"])  # Dhaka and Hanoi
    WatchFactory(user=UserFactory(), project=portfolio["hanoi"])  # someone else's
    developments = portfolio["developments"]
    del portfolio["developments"]
    other = DevelopmentFactory(project=portfolio["hanoi"])  # recorded now: the newest

    root = parse(client.get(watching_url(key)))
    narrowed = parse(client.get(watching_url(key, "country=BD")))

    watched = set(watched_projects(reader).values_list("number", flat=True))
    assert watched == {7, 8, 9}
    assert entry_ids(root) == [tag(other)] + [tag(developments[n]) for n in ("hanoi", "chittagong", "dhaka")]
    assert entry_ids(narrowed) == [tag(developments["chittagong"]), tag(developments["dhaka"])]
    assert root.findtext(f"{ATOM}id").startswith("tag:testserver,2026:feeds/watching")


def test_a_user_watching_nothing_gets_an_empty_feed(client, portfolio, key):
    assert entries(parse(client.get(watching_url(key)))) == []


def test_the_feed_keeps_the_latest_entries(client, portfolio, key):
    DevelopmentFactory.create_batch(LIMIT, project=portfolio["hanoi"])

    root = parse(client.get(developments_url(key)))

    assert len(entries(root)) == LIMIT
    assert tag(portfolio["developments"]["dhaka"]) not in entry_ids(root)


@pytest.mark.parametrize("url", [developments_url, watching_url])
def test_the_query_count_does_not_grow_with_the_entries(
    client, portfolio, key, reader, url, django_assert_max_num_queries
):
    WatchFactory(user=reader, country=portfolio["hanoi"].country)
    WatchFactory(user=reader, project=portfolio["dhaka"])
    client.get(url(key, "country=BD,VN&lang=en"))  # the key's last use is written once an hour
    with django_assert_max_num_queries(6) as few:
        parse(client.get(url(key, "country=BD,VN&lang=en")))
    for project in ("dhaka", "hanoi"):
        DevelopmentFactory.create_batch(10, project=portfolio[project], recorded_by=UserFactory())

    with django_assert_max_num_queries(len(few.captured_queries)):
        root = parse(client.get(url(key, "country=BD,VN&lang=en")))

    assert len(entries(root)) >= 20


def test_the_feed_is_private_and_read_only(client, portfolio, key):
    response = client.get(developments_url(key))

    assert response["Cache-Control"] == "private"
    assert response["X-Robots-Tag"] == "noindex"
    assert client.head(developments_url(key)).status_code == 200
    assert client.post(developments_url(key)).status_code == 405
