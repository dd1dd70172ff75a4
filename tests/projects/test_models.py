"""The models' own rules: the search text, the circled marks, the database constraints, the
natural keys, and the order that defines a project's latest development."""

import unicodedata
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from projects.models import (
    PROJECT_FIELDS,
    PROJECT_RELATIONS,
    DatePrecision,
    Development,
    DevelopmentKind,
    Project,
    Scheme,
    Sector,
    Status,
    StatusChange,
)
from projects.querysets import (
    LATEST_DEVELOPMENT_ORDER,
    latest_development_order,
    latest_development_order_sql,
)
from projects.services import OWN_FIELDS
from projects.text import CIRCLED, circled_number
from tests.factories import (
    DevelopmentFactory,
    HeadingFactory,
    ProjectFactory,
    SchemeFactory,
    SectorFactory,
)

# --- the search text


@pytest.mark.django_db
def test_the_search_text_holds_number_names_summary_note_and_developments_folded():
    project = ProjectFactory(
        number=36, name="ジャカルタ ＭＲＴ", name_en="Jakarta MRT", summary="南北線\nの建設", note="※注"
    )
    DevelopmentFactory(project=project, sequence=1, text="２０２３年 Ｅ／Ｎ署名")

    text = project.build_search_text()

    assert text == "36ジャカルタmrtjakartamrt南北線の建設※注2023年e/n署名"
    assert project.build_search_text(["別の 動き"]) == "36ジャカルタmrtjakartamrt南北線の建設※注別の動き"


@pytest.mark.django_db
def test_the_search_text_of_a_project_without_note_or_developments():
    project = ProjectFactory(number=7, name="港", name_en="Port", summary="概要", note="")
    assert project.build_search_text() == "7港port概要"


# --- circled numbers


def test_circled_numbers_are_the_unicode_circled_digits_of_1_to_50():
    marks = [circled_number(number) for number in range(1, 51)]
    for number, mark in enumerate(marks, start=1):
        assert unicodedata.normalize("NFKC", mark) == str(number)
        assert unicodedata.name(mark).startswith(("CIRCLED DIGIT", "CIRCLED NUMBER"))
    assert (marks[0], marks[19], marks[20], marks[34], marks[35], marks[49]) == (
        "①",
        "⑳",
        "㉑",
        "㉟",
        "㊱",
        "㊿",
    )


def test_the_parsers_circled_marks_are_the_first_35():
    assert CIRCLED == "".join(circled_number(number) for number in range(1, 36))
    assert CIRCLED == "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟"


# --- constraints: the database refuses what validation would, whatever writes it


def _refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.mark.django_db
def test_the_database_refuses_bad_projects_and_reference_rows():
    project = ProjectFactory()
    _refused(lambda: Project.objects.filter(pk=project.pk).update(status="finished"))
    _refused(lambda: Project.objects.filter(pk=project.pk).update(number=0))
    _refused(lambda: ProjectFactory(number=project.number))
    _refused(lambda: HeadingFactory(number=51))
    _refused(lambda: HeadingFactory(number=0))
    _refused(lambda: SchemeFactory(family="GRANT"))
    sector = SectorFactory()
    _refused(lambda: Sector.objects.create(code=sector.code, name_ja="重複", name_en="Twice", dac_code=1))


@pytest.mark.django_db
def test_the_database_refuses_bad_developments():
    project = ProjectFactory()
    DevelopmentFactory(project=project, sequence=1)
    _refused(lambda: DevelopmentFactory(project=project, sequence=1))
    _refused(lambda: DevelopmentFactory(project=project, kind="rumour"))
    _refused(lambda: DevelopmentFactory(project=project, date_precision="week"))
    # A date needs a precision, and a precision needs a date.
    _refused(lambda: DevelopmentFactory(project=project, date=date(2024, 3, 1)))
    _refused(lambda: DevelopmentFactory(project=project, date_precision=DatePrecision.MONTH))
    # The end comes after the start, and only with a start.
    day = {"date": date(2024, 3, 1), "date_precision": DatePrecision.MONTH}
    _refused(lambda: DevelopmentFactory(project=project, **day, date_end=date(2024, 3, 1)))
    _refused(lambda: DevelopmentFactory(project=project, date_end=date(2024, 3, 1)))
    DevelopmentFactory(project=project, **day, date_end=date(2024, 5, 1))


@pytest.mark.django_db
def test_the_database_refuses_bad_status_changes():
    project = ProjectFactory()  # with its status change No. 1

    def change(**fields):
        return StatusChange.objects.create(
            **{"project": project, "sequence": 2, "status": Status.PREPARATION, **fields}
        )

    _refused(lambda: change(status="finished"))
    _refused(lambda: change(previous_status="finished"))
    _refused(lambda: change(effective_on=date(2024, 1, 1)))
    _refused(lambda: change(effective_precision=DatePrecision.DAY))
    change(effective_on=date(2024, 1, 1), effective_precision=DatePrecision.DAY)
    _refused(lambda: change())  # No. 2 again


# --- natural keys (fixtures: load_plan, dumpdata --natural-foreign)


@pytest.mark.django_db
def test_every_model_is_found_by_its_natural_key():
    project = ProjectFactory(
        number=42, sectors=[SectorFactory(code="rail")], schemes=[SchemeFactory(code="loan")]
    )
    development = DevelopmentFactory(project=project, sequence=3)
    status_change = StatusChange.objects.create(project=project, sequence=2, status=Status.PREPARATION)
    rows = [
        (Sector, Sector.objects.get(code="rail"), ("rail",)),
        (Scheme, Scheme.objects.get(code="loan"), ("loan",)),
        (Project, project, (42,)),
        (Development, development, (42, 3)),
        (StatusChange, status_change, (42, 2)),
    ]
    for model, row, key in rows:
        assert row.natural_key() == key, model
        assert model.objects.get_by_natural_key(*key) == row, model
    assert Project.natural_key.dependencies == ["countries.country"]
    assert (
        Development.natural_key.dependencies == StatusChange.natural_key.dependencies == ["projects.project"]
    )


# --- the latest development's order: the ORM's and the hand-written SQL's are one


def test_the_sql_order_is_written_from_the_one_tuple():
    # The PostgreSQL index projects_development_latest (migration 0007) is on exactly this.
    assert LATEST_DEVELOPMENT_ORDER == ((("date_end", "date"), True, True), (("sequence",), True, False))
    assert (
        latest_development_order_sql("d") == "COALESCE(d.date_end, d.date) DESC NULLS LAST, d.sequence DESC"
    )


@pytest.fixture
def tricky_developments():
    """One project's developments: undated ones, several on one date, recorded out of order,
    ranges whose end is later than every date (9) or ties with other dates (10)."""
    project = ProjectFactory()

    def month(year, number):
        return {"date": date(year, number, 1), "date_precision": DatePrecision.MONTH}

    march = month(2024, 3)
    for sequence, when in [
        (5, {}),
        (1, march),
        (7, {"date": date(2023, 1, 1), "date_precision": DatePrecision.YEAR}),
        (3, march),
        (2, {}),
        (6, {"date": date(2024, 3, 1), "date_precision": DatePrecision.DAY}),
        (4, {"date": date(2025, 4, 1), "date_precision": DatePrecision.FISCAL_YEAR}),
        (8, {}),
        (9, {**month(2023, 1), "date_end": date(2025, 6, 1)}),
        (10, {**month(2024, 1), "date_end": date(2024, 3, 1)}),
    ]:
        DevelopmentFactory(project=project, sequence=sequence, kind=DevelopmentKind.OTHER, **when)
    return project


def _reference_order(developments):
    """Latest first, in plain Python: dated before undated, later last dates (the end, else the
    date) first, then higher sequence."""

    def last(d):
        return d.date_end or d.date

    return sorted(
        developments, key=lambda d: (last(d) is None, -(last(d).toordinal() if last(d) else 0), -d.sequence)
    )


@pytest.mark.django_db
def test_the_sql_order_and_the_orm_order_agree_on_null_dates_and_ties(tricky_developments):
    developments = list(tricky_developments.developments.all())
    expected = [d.sequence for d in _reference_order(developments)]
    assert expected == [9, 4, 10, 6, 3, 1, 7, 8, 5, 2]

    orm = list(
        Development.objects.filter(project=tricky_developments)
        .order_by(*latest_development_order())
        .values_list("sequence", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.sequence FROM {Development._meta.db_table} d WHERE d.project_id = %s"
            f" ORDER BY {latest_development_order_sql('d')}",
            [tricky_developments.pk],
        )
        sql = [sequence for (sequence,) in cursor.fetchall()]

    assert orm == sql == expected


# --- the fields an editor sets


def test_project_fields_are_the_fields_an_editor_sets():
    # A field added to Project is either listed here (the admin's form, the services) or not
    # editable (set by the code: status, version, search text, timestamps).
    editable = {
        field.name
        for field in Project._meta.get_fields()
        if field.concrete and field.editable and not field.primary_key
    }
    assert set(PROJECT_FIELDS) == editable
    assert len(PROJECT_FIELDS) == len(editable)
    assert {field.name for field in Project._meta.many_to_many} == set(PROJECT_RELATIONS)
    assert OWN_FIELDS == {
        "number",
        "name",
        "name_en",
        "summary",
        "note",
        "country",
    }
