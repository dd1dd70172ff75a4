"""Fixtures of the project admin's tests: an editor, logged in, and a small world of projects."""

from datetime import date

import pytest

from projects.models import DatePrecision, DevelopmentKind, Project, SchemeFamily, Status
from tests.factories import (
    CountryFactory,
    DevelopmentFactory,
    HeadingFactory,
    ProjectFactory,
    RegionFactory,
    SchemeFactory,
    SectorFactory,
)


@pytest.fixture
def world():
    """Two regions, three countries, projects with sectors, schemes and developments."""
    asia = RegionFactory(code="southeast-asia", name_ja="東南アジア", name_en="Southeast Asia")
    africa = RegionFactory(code="africa", name_ja="アフリカ", name_en="Africa")
    vietnam = CountryFactory(iso_code="VN", name_ja="ベトナム", name_en="Viet Nam", region=asia)
    thailand = CountryFactory(iso_code="TH", name_ja="タイ", name_en="Thailand", region=asia)
    kenya = CountryFactory(iso_code="KE", name_ja="ケニア", name_en="Kenya", region=africa)
    rail = SectorFactory(code="rail", name_ja="鉄道", name_en="Rail")
    port = SectorFactory(code="port", name_ja="港湾", name_en="Port")
    loan = SchemeFactory(code="oda-loan", family=SchemeFamily.ODA, name_ja="円借款", name_en="ODA loan")
    grant = SchemeFactory(
        code="oda-grant", family=SchemeFamily.ODA, name_ja="無償資金協力", name_en="ODA grant"
    )
    ppp = SchemeFactory(code="ppp", family=SchemeFamily.PPP, name_ja="官民連携", name_en="PPP")
    group_vn = HeadingFactory(number=1, name_ja="ベトナム", name_en="Viet Nam")
    group_th = HeadingFactory(number=2, name_ja="タイ", name_en="Thailand")
    group_africa = HeadingFactory(number=18, name_ja="アフリカ地域", name_en="Africa")
    hsr = ProjectFactory(
        number=1,
        name="南北高速鉄道整備事業",
        name_en="North-South High-Speed Railway Project",
        summary="ハノイ～ホーチミン間（約１６００ｋｍ）の高速鉄道を整備する事業",
        country=vietnam,
        listing_group=group_vn,
        sectors=[rail],
        schemes=[loan, grant],
        is_new=True,
    )
    DevelopmentFactory(
        project=hsr, sequence=1, text="２０２２年１１月 Ｆ／Ｓ開始", kind=DevelopmentKind.STUDY
    )
    DevelopmentFactory(
        project=hsr,
        sequence=2,
        text="2023年1月に協力準備調査の結果を説明",
        kind=DevelopmentKind.DIPLOMACY,
        date=date(2023, 1, 1),
        date_precision=DatePrecision.MONTH,
    )
    port_project = ProjectFactory(
        number=2,
        name="ラックフェン港整備事業",
        name_en="Lach Huyen Port",
        country=vietnam,
        listing_group=group_vn,
        sectors=[port],
        schemes=[ppp],
        status=Status.IMPLEMENTATION,
    )
    DevelopmentFactory(project=port_project, sequence=1, kind=DevelopmentKind.AWARD, text="本邦企業が受注")
    bangkok = ProjectFactory(
        number=10,
        name="バンコク都市鉄道",
        name_en="Bangkok Urban Railway",
        country=thailand,
        listing_group=group_th,
        sectors=[rail],
    )
    mombasa = ProjectFactory(
        number=70,
        name="モンバサ港開発事業",
        name_en="Mombasa Port Development",
        country=kenya,
        listing_group=group_africa,
        sectors=[port],
        schemes=[loan],
    )
    for project in (hsr, port_project, bangkok, mombasa):
        project.search_text = project.build_search_text()
        Project.objects.filter(pk=project.pk).update(search_text=project.search_text)
    return {
        "asia": asia,
        "africa": africa,
        "vietnam": vietnam,
        "kenya": kenya,
        "rail": rail,
        "loan": loan,
        "ppp": ppp,
        "group_th": group_th,
        "group_africa": group_africa,
        "hsr": hsr,
        "port": port_project,
        "bangkok": bangkok,
        "mombasa": mombasa,
    }
