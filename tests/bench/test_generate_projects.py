"""generate_projects: the same --seed gives the same data (README, "Performance")."""

import pytest
from django.core.management import call_command

from bench.guard import plan_numbers
from bench.run import trim
from projects.models import Development, Project, StatusChange

# trim ends with VACUUM, which runs outside a transaction.
pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def generated_data():
    beyond = {"project__number__gt": max(plan_numbers())}
    return (
        list(
            Project.objects.filter(number__gt=max(plan_numbers())).values_list(
                "number", "name", "name_en", "status", "is_new", "search_text", "country", "listing_group"
            )
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
    assert len(first[0]) == 40 and first[3] and first[4]
