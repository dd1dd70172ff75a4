"""The limit's hand-written SQL builds its listing-group marks by circled_number's rule."""

import pytest
from django.db import connection

from bench import limit
from projects.text import circled_number


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_limits_marks_are_circled_numbers():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {limit.mark_sql('n')} FROM generate_series(1, 60) n ORDER BY n")
        marks = [mark for (mark,) in cursor.fetchall()]

    assert marks == [circled_number(number) for number in range(1, 61)]
