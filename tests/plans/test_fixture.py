import datetime
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError

from countries.models import Country, Region
from plans.models import Edition, Heading, Listing, Removal
from projects.models import (
    DatePrecision,
    Development,
    DevelopmentKind,
    Project,
    Scheme,
    Sector,
    Status,
    StatusChange,
)

pytestmark = pytest.mark.django_db

FIXTURES = Path(django_settings.BASE_DIR) / "fixtures"
SOURCE = FIXTURES / "sources" / "action_plan_2023_projects.txt"
D = datetime.date

NEW_PROJECTS = [46, 47, 58, 59, 60, 61, 62, 67, 80, 81]
PER_COUNTRY = {
    "VN": 12,
    "KH": 3,
    "TH": 9,
    "PH": 11,
    "ID": 9,
    "MY": 2,
    "BN": 1,
    "SG": 2,
    "IN": 2,
    "LK": 1,
    "BD": 10,
    "US": 3,
    "GB": 1,
    "NL": 1,
    "AU": 1,
    "AE": 1,
    "KG": 1,
    "UZ": 1,
    "GH": 1,
    "UG": 1,
    "KE": 3,
    "TZ": 1,
    "MA": 1,
    "MZ": 1,
    "TN": 1,
    "PE": 1,
    "PG": 1,
    "UA": 1,
    "TW": 1,
    "MM": 9,
}
MYANMAR_NOTE = (
    "行動計画2020（2020年７月策定）記載のプロジェクト（上記）について、現下の情勢を踏まえ、"
    "今後の事態の推移を注視し検討"
)
WON = {25, 26, 27, 28, 32, 36, 39, 51, 66, 67}


def _devs(number):
    return list(Development.objects.filter(project__number=number).order_by("sequence"))


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Region,
            Country,
            Sector,
            Scheme,
            Heading,
            Listing,
            Removal,
            Edition,
            Project,
            StatusChange,
            Development,
        )
    }


def test_counts(plan_data):
    assert Project.objects.count() == 93
    assert Heading.objects.count() == 23
    assert Listing.objects.count() == 93
    assert Region.objects.count() == 12
    assert Country.objects.count() == 30
    assert Sector.objects.count() == 11
    assert Scheme.objects.count() == 7
    assert StatusChange.objects.count() == 93


def test_new_projects(plan_data):
    new = Listing.objects.filter(edition__year=2023, is_new=True).order_by("number")
    assert list(new.values_list("project__number", flat=True)) == NEW_PROJECTS


def test_projects_per_country(plan_data):
    counts = Counter(Project.objects.values_list("country__iso_code", flat=True))
    assert dict(counts) == PER_COUNTRY


def test_projects_per_region(plan_data):
    assert Project.objects.filter(country__region__code="south-asia").count() == 13
    assert Project.objects.filter(country__region__code="southeast-asia").count() == 58
    assert Project.objects.filter(country__region__code="africa").count() == 9


def test_region_groups_take_the_country_from_the_name(plan_data):
    expected = {69: "AE", 70: "KG", 71: "UZ", 72: "GH", 80: "TN", 81: "PE", 82: "PG", 83: "UA"}
    got = dict(Project.objects.filter(number__in=expected).values_list("number", "country__iso_code"))
    assert got == expected


def test_listing_groups_in_order(plan_data):
    groups = list(Heading.objects.filter(edition__year=2023).order_by("number"))
    assert [g.number for g in groups] == list(range(1, 24))
    assert [str(g) for g in groups][:2] == ["①ベトナム", "②カンボジア"]
    assert str(groups[-1]) == "㉓ミャンマー"
    assert groups[17].name_ja == "アフリカ地域"
    first_numbers = [g.listings.order_by("number").first().number for g in groups]
    assert first_numbers == [
        1,
        13,
        16,
        25,
        36,
        45,
        47,
        48,
        50,
        52,
        53,
        63,
        66,
        67,
        68,
        69,
        70,
        72,
        81,
        82,
        83,
        84,
        85,
    ]


def test_every_project_has_a_sector_and_one_matching_status_change(plan_data):
    for project in Project.objects.prefetch_related("sectors", "status_changes"):
        assert project.sectors.count() >= 1, project.number
        changes = list(project.status_changes.all())
        assert len(changes) == 1, project.number
        assert changes[0].sequence == 1
        assert changes[0].status == project.status, project.number
        assert changes[0].previous_status == ""
        assert changes[0].effective_on is None
        assert changes[0].note.startswith("行動計画2023「"), project.number


def _independent_names(source_text):
    """Each row's name from the source, found without the parser, white space removed.

    After a row's number line come the name's lines, all narrow (the name column holds at most
    ten characters), then the summary, whose first line is wide. Once ("6 巡視船整備") the name
    shares the number's line.
    """
    lines = [line for line in source_text.splitlines() if line.strip()]
    i = next(n for n, line in enumerate(lines) if line.strip().startswith("①"))
    names, expected = {}, 1
    while i < len(lines):
        stripped = lines[i].strip()
        i += 1
        if stripped == str(expected):
            parts = []
            while len(re.sub(r"\s", "", lines[i])) <= 10:
                parts.append(lines[i])
                i += 1
        elif re.fullmatch(rf"{expected} [^\d年月].*", stripped):
            parts = [stripped[len(str(expected)) :]]
        else:
            continue
        names[expected] = re.sub(r"\s", "", "".join(parts)).replace("【新規案件】", "")
        expected += 1
    return names


def test_names_match_an_independent_extraction_from_the_source(plan_data):
    names = _independent_names(SOURCE.read_text(encoding="utf-8"))
    assert sorted(names) == list(range(1, 94))
    for number, name in Project.objects.values_list("number", "name"):
        assert re.sub(r"\s", "", name) == names[number], number


def test_sample_typed_from_the_source(plan_data):
    p5 = Project.objects.get(number=5)
    assert p5.name == "ロンタイン新国際空港建設・運営事業"
    assert p5.summary == "ホーチミン郊外のロンタイン地区に新国際空港を建設及び運営する事業"
    assert [(d.text, d.date, d.date_precision, d.date_end) for d in _devs(5)] == [
        ("2023年１月に旅客ターミナル（第１期分）の入札情報が再公示", D(2023, 1, 1), "month", None),
        ("2023年６月に入札締切り予定", D(2023, 6, 1), "month", None),
    ]
    assert [(d.date, d.date_end, d.date_precision) for d in _devs(11)] == [
        (D(2021, 12, 1), D(2022, 1, 1), "month"),
        (D(2022, 12, 1), D(2023, 1, 1), "month"),
        (None, None, DatePrecision.NONE),
    ]
    assert (
        _devs(11)[0].text == "2021年12月～2022年1月にハノイ市において、AIオンデマンドサービスの実証実験を実施"
    )
    (d44,) = _devs(44)
    assert (d44.text, d44.date, d44.date_precision) == (
        "スタミダムについて、2021年度より協力準備調査を実施中",
        D(2021, 4, 1),
        DatePrecision.FISCAL_YEAR,
    )
    (d46,) = _devs(46)
    assert d46.text.startswith("令和４年度の「デジタル技術を活用した公共交通利用促進に資するソリューション")
    assert (d46.date, d46.date_precision) == (D(2022, 4, 1), "fiscal_year")
    p23 = Project.objects.get(number=23)
    assert p23.name == "スワンナプーム国際空港GBAS導入事業"
    assert p23.summary == "スワンナプーム国際空港に我が国企業が開発した次世代航法システム(GBAS)を導入する事業"
    (d23,) = _devs(23)
    assert d23.text == "総務省と連携し、2022年７月～2024年３月に実証実験を実施"
    assert (d23.date, d23.date_end) == (D(2022, 7, 1), D(2024, 3, 1))
    assert Project.objects.get(number=66).name == "HS２（High Speed２）高速鉄道計画"
    p90 = Project.objects.get(number=90)
    assert p90.name == "へホー空港整備・運営事業"
    assert p90.summary == "民間航空局が運営しているシャン州のヘホー空港を民間企業により整備及び運営する事業"
    assert [d.text for d in _devs(25)] == [
        "2022年11月に我が国企業が軌道・信号等を受注",
        "2023年２月にE/N署名、L/A締結（第二期）",
    ]
    assert Project.objects.get(number=6).name == "巡視船整備"
    assert _devs(6)[0].text == "2020年7月にL/A（借款契約。以下同じ）締結"
    (d84a, d84b) = _devs(84)
    assert (d84b.text, d84b.date, d84b.date_precision) == (
        "2023年夏頃を目標に実証実験を実施予定",
        D(2023, 1, 1),
        "year",
    )
    (d47,) = _devs(47)
    assert d47.text.startswith(
        "国土交通省のSmart JAMPの案件形成調査を通じて、事業可能性を検討。2023年２月には"
    )
    assert (d47.date, d47.date_precision) == (D(2023, 2, 1), "month")
    (d75a, _d75b) = _devs(75)
    assert (d75a.text, d75a.date, d75a.date_precision) == (
        "2017年にRFQ（事前資格審査）が公示",
        D(2017, 1, 1),
        "year",
    )
    assert _devs(4)[0].text == "2022年にベトナム国会が2025年までの南北高速道路東線投資方針を承認"


def test_development_texts_are_clean(plan_data):
    for development in Development.objects.all():
        assert "\n" not in development.text
        assert not re.search(r"[^\x00-\x7f]\s|\s[^\x00-\x7f]", development.text), development.text
        assert not development.text.startswith("・")
        assert development.source == "国土交通省インフラシステム海外展開行動計画2023"
    assert not Development.objects.filter(text__contains="131").exists()


def test_development_sequences_run_from_one(plan_data):
    for project in Project.objects.exclude(country__iso_code="MM"):
        assert list(project.developments.values_list("sequence", flat=True)) == list(
            range(1, project.developments.count() + 1)
        )


def test_myanmar_projects_have_no_developments_and_carry_the_note(plan_data):
    myanmar = Project.objects.filter(listings__heading__number=23)
    assert list(myanmar.values_list("number", flat=True)) == list(range(85, 94))
    assert not Development.objects.filter(project__in=myanmar).exists()
    assert set(myanmar.values_list("note", flat=True)) == {MYANMAR_NOTE}
    assert set(myanmar.values_list("status", flat=True)) == {Status.SUSPENDED}
    assert not Project.objects.exclude(listings__heading__number=23).exclude(note="").exists()
    assert Project.objects.get(number=85).summary == (
        "ヤンゴン～マンダレー幹線鉄道（約620km）の近代化にむけ、路盤・軌道、土木構造物、信号等の改修・改良や車両の調達を行う事業"
    )


def _project_text(project):
    return "\n".join(
        [project.name, project.summary, project.note, *project.developments.values_list("text", flat=True)]
    )


def test_every_annotation_evidence_is_in_its_projects_text(plan_data):
    annotations = json.loads((FIXTURES / "action_plan_2023_annotations.json").read_text(encoding="utf-8"))
    assert [entry["number"] for entry in annotations["projects"]] == list(range(1, 94))
    for entry in annotations["projects"]:
        project = Project.objects.get(number=entry["number"])
        text = _project_text(project)
        for item in [*entry["sectors"], *entry["schemes"], entry["status"]]:
            assert item["evidence"] in text, (entry["number"], item)
        for item in entry["sectors"]:
            assert item["evidence"] in project.name + project.summary, (entry["number"], item)
        for sequence, override in entry.get("developments", {}).items():
            development = project.developments.get(sequence=int(sequence))
            assert override["evidence"] in development.text
            assert development.kind == override["kind"]
        assert project.name_en == entry["name_en"]
        assert sorted(project.sectors.values_list("code", flat=True)) == sorted(
            s["code"] for s in entry["sectors"]
        )
        assert sorted(project.schemes.values_list("code", flat=True)) == sorted(
            s["code"] for s in entry["schemes"]
        )
        assert project.status == entry["status"]["code"]
        assert entry["status"]["evidence"] in project.status_changes.get().note


def test_awards_exactly_where_a_japanese_company_won(plan_data):
    awards = Development.objects.filter(kind=DevelopmentKind.AWARD)
    assert set(awards.values_list("project__number", flat=True)) == WON
    for development in awards:
        assert re.search(r"(我が国企業|本邦企業|日本企業)が", development.text), development.text
        assert "受注" in development.text or "選定" in development.text
    assert set(Project.objects.with_won().filter(won=True).values_list("number", flat=True)) == WON
    assert Project.objects.with_won().filter(won=False).count() == 93 - len(WON)
    # Aiming to win is not winning:
    assert not Development.objects.filter(project__number__in=[13, 14], kind=DevelopmentKind.AWARD).exists()


def test_selected_kinds_and_statuses(plan_data):
    kinds = dict(Development.objects.values_list("project__number", "kind").filter(sequence=1))
    assert kinds[52] == DevelopmentKind.SETBACK
    assert kinds[71] == DevelopmentKind.DECISION
    assert kinds[15] == DevelopmentKind.STUDY
    assert kinds[1] == DevelopmentKind.OTHER
    statuses = dict(Project.objects.values_list("number", "status"))
    assert statuses[1] == Status.IDENTIFICATION
    assert statuses[52] == Status.SUSPENDED
    assert statuses[83] == Status.SUSPENDED
    assert statuses[66] == Status.IMPLEMENTATION
    assert statuses[30] == Status.PROCUREMENT


def test_schemes_only_where_the_row_names_them(plan_data):
    schemes = {
        p.number: sorted(p.schemes.values_list("code", flat=True))
        for p in Project.objects.prefetch_related("schemes")
    }
    assert schemes[6] == ["oda-loan"]
    assert schemes[15] == ["oda"]
    assert schemes[22] == ["ppp"]
    assert schemes[21] == []  # the yen loan it names is the Red Line's, not this project's
    assert schemes[1] == []
    assert not Project.objects.filter(schemes__code="join").exists()


def test_search_text_is_built_with_the_model_method(plan_data):
    for project in Project.objects.all():
        assert project.search_text == project.build_search_text(), project.number
    assert list(Project.objects.search("Ｅ／Ｎ 2023年2月").values_list("number", flat=True)) == [25, 26]


def test_timestamps_are_the_recorded_at_constant(plan_data):
    recorded = datetime.datetime(2026, 11, 22, tzinfo=datetime.UTC)
    assert set(Project.objects.values_list("created", flat=True)) == {recorded}
    assert set(Project.objects.values_list("updated", flat=True)) == {recorded}
    assert set(Development.objects.values_list("recorded_at", flat=True)) == {recorded}
    assert set(StatusChange.objects.values_list("recorded_at", flat=True)) == {recorded}
    assert set(Project.objects.values_list("version", flat=True)) == {1}


def test_fixture_has_no_primary_keys():
    objects = json.loads((FIXTURES / "action_plan_2023.json").read_text(encoding="utf-8"))
    assert all("pk" not in obj for obj in objects)
    models = [obj["model"] for obj in objects]
    order = [
        "countries.region",
        "countries.country",
        "projects.sector",
        "projects.scheme",
        "projects.project",
        "projects.statuschange",
        "projects.development",
        "plans.edition",
        "plans.heading",
        "plans.listing",
        "plans.removal",
    ]
    assert [m for i, m in enumerate(models) if i == 0 or models[i - 1] != m] == order


def test_loading_twice_keeps_the_counts(plan_data):
    before = _counts()
    call_command("loaddata", "action_plan_2023", verbosity=0)
    assert _counts() == before
    assert before["Project"] == 93


def test_build_check_passes_against_the_committed_fixture():
    call_command("build_plan_fixture", "--check", verbosity=0)


def test_build_check_fails_on_a_different_fixture(tmp_path):
    stale = tmp_path / "stale.json"
    stale.write_text("[]\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not what build_plan_fixture builds"):
        call_command("build_plan_fixture", "--check", "--output", str(stale), verbosity=0)


def test_build_is_reproducible(tmp_path):
    out = tmp_path / "built.json"
    call_command("build_plan_fixture", "--output", str(out), verbosity=0)
    assert out.read_bytes() == (FIXTURES / "action_plan_2023.json").read_bytes()


def test_build_rejects_evidence_not_in_the_row(tmp_path):
    annotations = json.loads((FIXTURES / "action_plan_2023_annotations.json").read_text(encoding="utf-8"))
    annotations["projects"][0]["status"]["evidence"] = "円借款"
    path = tmp_path / "annotations.json"
    path.write_text(json.dumps(annotations, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="project 1: the evidence"):
        call_command("build_plan_fixture", "--check", "--annotations", str(path), verbosity=0)


def test_build_rejects_a_correction_that_does_not_apply(tmp_path):
    path = tmp_path / "corrections.json"
    entry = {"number": 1, "field": "name", "parsed": "違う", "corrected": "x", "fixes": "x", "reason": "x"}
    path.write_text(json.dumps({"corrections": [entry]}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="does not apply"):
        call_command("build_plan_fixture", "--check", "--corrections", str(path), verbosity=0)


def test_build_rejects_a_source_with_a_missing_row(tmp_path):
    text = SOURCE.read_text(encoding="utf-8").replace("\n47 \n", "\n")
    assert text != SOURCE.read_text(encoding="utf-8")
    path = tmp_path / "source.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("build_plan_fixture", "--check", "--source", str(path), verbosity=0)


def test_build_takes_another_recorded_at(tmp_path):
    out = tmp_path / "built.json"
    call_command(
        "build_plan_fixture", "--output", str(out), "--recorded-at", "2027-01-02T03:04:05Z", verbosity=0
    )
    objects = json.loads(out.read_text(encoding="utf-8"))
    timed = ("projects.project", "projects.statuschange", "projects.development")
    stamps = {
        obj["fields"].get("recorded_at") or obj["fields"].get("created")
        for obj in objects
        if obj["model"] in timed
    }
    assert stamps == {"2027-01-02T03:04:05Z"}
    with pytest.raises(CommandError, match="recorded-at"):
        call_command("build_plan_fixture", "--output", str(out), "--recorded-at", "yesterday", verbosity=0)
