"""The keyword rule for a development's kind."""

import pytest

from plans.kinds import classify_development


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2022年11月に我が国企業が軌道・信号等を受注", "award"),
        ("2020年に現地にて、実証施工を行う会社として日本企業が含まれたグループが選定", "award"),
        ("ルー総裁が訪日した際、日本企業の事業受注に向けたトップセールスを実施", "diplomacy"),
        ("2023年２月にE/N署名、L/A締結（第二期）", "agreement"),
        ("相手国政府と案件化（PPP事業契約締結）に向けた協議を実施", "other"),
        ("2022年８月に入札開示されるも応札者無し。再入札に向けて調整中", "setback"),
        ("2022年４月の大統領令により、主要空港のPPP化が承認", "decision"),
        ("2022年10月、土木工事の入札開始", "procurement"),
        ("2022年１月に軌道工事に着手", "construction"),
        ("2023年夏頃を目標に実証実験を実施予定", "pilot"),
        ("2019年８月より協力準備調査を実施中", "study"),
        ("相手国政府において事業の実現に向け検討中", "other"),
    ],
)
def test_development_kind_keyword_rule(text, kind):
    found, evidence = classify_development(text)
    assert found == kind
    assert evidence in text
