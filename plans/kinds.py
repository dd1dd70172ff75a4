"""A development's kind from its words: the keyword rule, with the words that back it."""

from __future__ import annotations

import re

_JAPANESE_COMPANY = r"(?:我が国企業|本邦企業|日本企業)"


# The keyword rule for a development's kind: the first rule whose pattern matches the text wins.
# Each pattern's match is the evidence (the words of the development that back its kind).
DEVELOPMENT_KIND_RULES: list[tuple[str, re.Pattern]] = [
    # A Japanese company won (受注) a contract, or a group containing one was selected (選定).
    # "日本企業の事業受注に向けた" (aiming to win) is not a win: the company must be the subject.
    ("award", re.compile(rf"{_JAPANESE_COMPANY}が[^。、]*?受注(?!に向)")),
    ("award", re.compile(rf"{_JAPANESE_COMPANY}が含まれた[^。]*?選定(?!に向|中)")),
    ("setback", re.compile(r"中断|延期|順延|応札者無し|債務不履行|遅れが生じ")),
    (
        "agreement",
        re.compile(r"署名|調印|締結(?![）)]?に向)|協力覚書|[(（]?LOI[)）]?を交換|MoU|MoC|[GL]/A"),
    ),
    ("decision", re.compile(r"承認|大統領令|閣議|を発表")),
    (
        "procurement",
        re.compile(
            r"入札|公示|公告|RFQ|事前資格審査|契約交渉|契約手続|契約済|優先交渉権|コンサルタント会社を選定"
        ),
    ),
    ("pilot", re.compile(r"実証実験|実証施工|パイロット運用|試験運用|実証")),
    ("construction", re.compile(r"工事に着手|着工|施工中|工事中|建設中")),
    ("study", re.compile(r"協力準備調査|F/S|詳細設計|調査|計画作業")),
    ("diplomacy", re.compile(r"トップセールス|訪日|表敬|セミナー|会合|会談|意見交換")),
]


def classify_development(text: str) -> tuple[str, str]:
    """The development kind the keyword rule gives `text`, and the words that back it.

    Falls back to ("other", "") when no rule matches (e.g. "事業の実現に向け検討中").
    """
    for kind, pattern in DEVELOPMENT_KIND_RULES:
        match = pattern.search(text)
        if match:
            return kind, match.group()
    return "other", ""
