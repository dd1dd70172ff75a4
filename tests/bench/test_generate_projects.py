"""generate_projects: the same --seed gives the same data (README, "Performance")."""

import pytest
from django.core.management import call_command

from bench.guard import plan_numbers
from bench.run import trim
from plans.models import Listing
from projects.models import Development, Project, StatusChange

# trim ends with VACUUM, which runs outside a transaction.
pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def generated_data():
    beyond = {"project__number__gt": max(plan_numbers())}
    return (
        list(
            Project.objects.filter(number__gt=max(plan_numbers())).values_list(
                "number", "name", "name_en", "status", "search_text", "country"
            )
        ),
        list(
            Listing.objects.filter(**beyond)
            .order_by("number")
            .values_list("project__number", "edition__year", "heading__number", "number", "is_new")
        ),
        list(Project.sectors.through.objects.filter(**beyond).values_list("project__number", "sector")),
        list(Project.schemes.through.objects.filter(**beyond).values_list("project__number", "scheme")),
        list(
            Development.objects.filter(**beyond)
            .order_by("project__number", "sequence")
            .values_list("project__number", "sequence", "kind", "text", "date", "date_precision", "source")
        ),
        list(
            StatusChange.objects.filter(**beyond)
            .order_by("project__number", "sequence")
            .values_list("project__number", "sequence", "status", "previous_status", "note")
        ),
    )


def test_the_same_seed_gives_the_same_data(plan_data):
    call_command("generate_projects", count=40, seed=3, stdout=None, stderr=None)
    first = generated_data()
    trim(plan_numbers())
    call_command("generate_projects", count=40, seed=3, stdout=None, stderr=None)

    assert generated_data() == first
    assert len(first[0]) == 40 and first[4] and first[5]


def test_generated_projects_are_listed_in_the_latest_published_edition(plan_data):
    plan = {listing.project_id: listing for listing in Listing.objects.filter(edition__year=2023)}
    call_command("generate_projects", count=40, seed=3, stdout=None, stderr=None)

    generated = Listing.objects.filter(project__number__gt=93).order_by("number")
    assert [listing.number for listing in generated] == list(range(94, 134))
    assert {listing.edition.year for listing in generated} == {2023}
    assert {listing.heading.edition.year for listing in generated} == {2023}
    assert 0 < sum(listing.is_new for listing in generated) < 40
    # The plan's own rows keep their numbers and marks.
    after = Listing.objects.filter(project_id__in=plan)
    assert {(row.project_id, row.number, row.is_new) for row in after} == {
        (row.project_id, row.number, row.is_new) for row in plan.values()
    }
