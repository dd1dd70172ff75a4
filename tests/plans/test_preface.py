"""The preface paragraph of an edition's table, generated from the comparison."""

import pytest

from plans.compare import Comparison, Row
from plans.models import Edition, RemovalReason
from plans.preface import joined_names, plan_number, preface, preface_from
from plans.services import add_listing, remove_listing, start_edition
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_the_2023_preface_is_the_plans_own_wording(plan_data):
    result = preface(Edition.objects.get(year=2023))
    assert (result.count, result.previous_count, result.removed_count, result.added_count) == (93, 87, 4, 10)
    assert result.paragraphs[0] == (
        "今年は 93 プロジェクトを選定した（各プロジェクトの概要及び直近における動きは次ページ以降の表のとおり）。"
        "これは、昨年の 87 プロジェクトから我が国企業が受注したプロジェクト等４件を削除し、今後新たに我が国企業に"
        "よる受注を目指すプロジェクト 10 件を追加したものである。"
    )
    assert result.paragraphs[1] == (
        "昨年の行動計画の策定以降、「ブカシ自動車認証試験場整備事業」、「アビジャン三交差点建設事業」及び"
        "「台湾高速鉄道車両調達事業」を我が国企業が受注した。"
    )


def test_a_drafts_preface_follows_its_list(plan_data):
    draft = start_edition(2024)
    won = draft.listings.get(number=25)
    remove_listing(won, RemovalReason.WON)
    remove_listing(draft.listings.get(number=30), RemovalReason.CANCELLED)
    add_listing(draft, ProjectFactory(number=501, listing_group=None), 1)
    result = preface(draft)
    assert (result.count, result.previous_count, result.removed_count, result.added_count) == (92, 93, 2, 1)
    assert result.won == [won.project.name]
    assert "今年は 92 プロジェクト" in result.paragraphs[0]
    assert "昨年の 93 プロジェクトから我が国企業が受注したプロジェクト等２件を削除し" in result.paragraphs[0]
    assert "プロジェクト１件を追加" in result.paragraphs[0]
    assert result.paragraphs[1] == f"昨年の行動計画の策定以降、「{won.project.name}」を我が国企業が受注した。"


def test_numbers_and_names_are_written_as_the_plan_writes_them():
    assert (plan_number(4), plan_number(10)) == ("４", "10")
    assert joined_names(["A"]) == "「A」"
    assert joined_names(["A", "B", "C"]) == "「A」、「B」及び「C」"


@pytest.mark.parametrize(
    ("removed", "added", "change"),
    [
        (1, 0, "昨年の 87 プロジェクトから我が国企業が受注したプロジェクト等１件を削除したものである。"),
        (
            0,
            2,
            "昨年の 87 プロジェクトに、今後新たに我が国企業による受注を目指すプロジェクト２件を追加したものである。",
        ),
        (0, 0, "昨年の 87 プロジェクトをそのまま引き継いだものである。"),
    ],
)
def test_a_preface_without_removals_or_additions_says_so_without_zero_counts(removed, added, change):
    comparison = Comparison(
        older_year=2023, newer_year=2024, older_count=87, newer_count=88, removed_count=removed
    )
    comparison.added = [Row(project_id=n, name=f"新規{n}") for n in range(added)]
    (paragraph,) = preface_from(comparison, 87 - removed + added).paragraphs
    assert paragraph.endswith("これは、" + change)
    assert "０件" not in paragraph
