"""The paragraph before an edition's status table, in the plan's own words (2023):

「今年は 93 プロジェクトを選定した（各プロジェクトの概要及び直近における動きは次ページ以降の表のとおり）。
これは、昨年の 87 プロジェクトから我が国企業が受注したプロジェクト等４件を削除し、今後新たに我が国企業
による受注を目指すプロジェクト 10 件を追加したものである。」 and 「昨年の行動計画の策定以降、「…」、「…」
及び「…」を我が国企業が受注した。」

Generated from plans.compare.compare(edition, its previous year): a draft's from its list as it
stands, a published edition's from its list (and, where its predecessor is not in the database,
the facts its own text states: 2023 gives 93/87/4/10 and names three won projects).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plans.compare import Comparison, compare
from plans.models import Edition, RemovalReason

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def plan_number(value: int) -> str:
    """A count as the plan writes it: one digit full-width (４件), more half-width (10 件)."""
    return str(value).translate(_FULL_WIDTH) if value < 10 else str(value)


def _spaced(value: int) -> str:
    # The plan sets a half-width number off with spaces (「93 プロジェクト」), not a full-width one.
    written = plan_number(value)
    return written if value < 10 else f" {written} "


def joined_names(names: list[str]) -> str:
    """「A」、「B」及び「C」"""
    quoted = [f"「{name}」" for name in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return "、".join(quoted[:-1]) + "及び" + quoted[-1]


@dataclass
class Preface:
    count: int
    previous_count: int | None = None
    removed_count: int = 0
    added_count: int = 0
    won: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "count": self.count,
            "previous_count": self.previous_count,
            "removed_count": self.removed_count,
            "added_count": self.added_count,
            "won": self.won,
            "paragraphs": self.paragraphs,
        }


def preface_from(comparison: Comparison | None, count: int, added_count: int | None = None) -> Preface:
    """The preface's facts and sentences from a comparison with the previous edition (None:
    no previous edition known, only the selection sentence)."""
    selected = (
        f"今年は{_spaced(count)}プロジェクトを選定した（各プロジェクトの概要及び直近における動きは"
        "次ページ以降の表のとおり）。"
    )
    preface = Preface(count=count)
    if comparison is None:
        preface.paragraphs = [selected]
        return preface
    preface.previous_count = comparison.older_count
    preface.removed_count = comparison.removed_count
    preface.added_count = len(comparison.added) if added_count is None else added_count
    preface.won = [removed.row.name for removed in comparison.removed if removed.reason == RemovalReason.WON]
    previous = f"昨年の{_spaced(comparison.older_count)}プロジェクト"
    removed = f"我が国企業が受注したプロジェクト等{_spaced(preface.removed_count)}件を削除し"
    added = f"今後新たに我が国企業による受注を目指すプロジェクト{_spaced(preface.added_count)}件を追加した"
    if preface.removed_count and preface.added_count:
        change = f"{previous}から{removed}、{added}"
    elif preface.removed_count:
        change = f"{previous}から{removed.removesuffix('し')}した"
    elif preface.added_count:
        change = f"{previous}に、{added}"
    else:  # a draft just started: the list as it was
        change = f"{previous}をそのまま引き継いだ"
    sentence = f"{selected}これは、{change}ものである。"
    preface.paragraphs = [sentence.replace("  ", " ")]
    if preface.won:
        preface.paragraphs.append(
            f"昨年の行動計画の策定以降、{joined_names(preface.won)}を我が国企業が受注した。"
        )
    return preface


def preface(edition: Edition) -> Preface:
    """The edition's preface: compared with its previous edition (in the database, or as its own
    text states it)."""
    count = edition.listings.count()
    if edition.previous_year is None:
        return preface_from(None, count)
    try:
        comparison = compare(edition, edition.previous_year)
    except Edition.DoesNotExist:
        return preface_from(None, count)
    stated_added = edition.stated_added_count if comparison.stated else None
    result = preface_from(comparison, count, stated_added)
    # Named in the order they were recorded (the order the text names them in), not by name.
    recorded = list(edition.removals.order_by("recorded_at", "pk").values_list("name", flat=True))
    result.won.sort(key=lambda name: recorded.index(name) if name in recorded else len(recorded))
    if result.won:
        result.paragraphs[-1] = (
            f"昨年の行動計画の策定以降、{joined_names(result.won)}を我が国企業が受注した。"
        )
    return result
