"""Fixtures of the feed tests: a small portfolio, a reader and their feed key."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from accounts.roles import VIEWER
from feeds.models import FeedKey
from projects.models import DatePrecision, DevelopmentKind
from tests.factories import CountryFactory, DevelopmentFactory, ProjectFactory, SectorFactory, UserFactory

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def portfolio(db):
    """Two projects in Bangladesh (a railway, a port) and one in Viet Nam, a development each,
    recorded a day apart: the Viet Nam one last."""
    bd = CountryFactory(iso_code="BD", name_ja="バングラデシュ", name_en="Bangladesh")
    vn = CountryFactory(iso_code="VN", name_ja="ベトナム", name_en="Viet Nam")
    rail, port = SectorFactory(code="rail"), SectorFactory(code="port")
    editor = UserFactory(username="tanaka", first_name="太郎", last_name="田中")
    dhaka = ProjectFactory(
        number=7, name="ダッカ都市鉄道", name_en="Dhaka Mass Transit", country=bd, sectors=[rail]
    )
    chittagong = ProjectFactory(
        number=8, name="チッタゴン港", name_en="Chittagong Port", country=bd, sectors=[port]
    )
    hanoi = ProjectFactory(number=9, name="ハノイ都市鉄道", name_en="Hanoi Metro", country=vn, sectors=[rail])
    now = timezone.now()
    developments = {
        "dhaka": DevelopmentFactory(
            project=dhaka,
            kind=DevelopmentKind.AGREEMENT,
            text="円借款契約に署名。\n第2期も協議中",
            date=now.date().replace(month=1, day=1),
            date_precision=DatePrecision.MONTH,
            recorded_by=editor,
            recorded_at=now - timedelta(days=2),
        ),
        "chittagong": DevelopmentFactory(
            project=chittagong,
            kind=DevelopmentKind.STUDY,
            text="<b>調査</b> & 設計",
            recorded_at=now - timedelta(days=1),
        ),
        "hanoi": DevelopmentFactory(
            project=hanoi, kind=DevelopmentKind.AWARD, text="本邦企業が受注", recorded_at=now
        ),
    }
    return {
        "dhaka": dhaka,
        "chittagong": chittagong,
        "hanoi": hanoi,
        "developments": developments,
        "rail": rail,
    }


@pytest.fixture
def reader(db):
    return UserFactory(username="reader", role=VIEWER)


@pytest.fixture
def key(reader):
    _feed_key, raw = FeedKey.objects.issue(user=reader, name="Outlook")
    return raw


def parse(response):
    """The Atom document of a feed response, checked to be one."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root):
    return root.findall(f"{ATOM}entry")


def entry_ids(root) -> list[str]:
    return [entry.findtext(f"{ATOM}id") for entry in entries(root)]
