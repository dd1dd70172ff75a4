"""The import's round trip: an untouched export re-imports as zero changes, whatever text is stored."""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from projects.models import (
    Development,
    DevelopmentKind,
    Project,
)
from projects.spreadsheets.preview import build_preview
from projects.spreadsheets.reading import read_workbook
from tests.factories import (
    DevelopmentFactory,
    ProjectFactory,
)
from tests.workbooks import (
    export_xlsx,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# An untouched export re-imports as zero changes, whatever text is stored.


def test_text_starting_with_an_apostrophe_and_a_trigger_survives_the_round_trip():
    project = ProjectFactory(number=1, name="'=A1 (our code)", name_en="'+81 3 1234 5678")
    DevelopmentFactory(project=project, sequence=1, text="＝全角の式", source="''-x")
    preview = build_preview(read_workbook(export_xlsx(), "x.xlsx"))
    assert (preview.changes, preview.errors) == ([], [])


def test_control_characters_survive_the_round_trip():
    """The list XLSX dropped them, so a re-import changed the name."""
    project = ProjectFactory(number=1, name="名称\x01と\x0bWord", name_en="a\rb _x0041_ \ufffe")
    DevelopmentFactory(project=project, sequence=1, text="本文\x1f\r\n", source="\x0c")
    content = export_xlsx()
    names = [row[1] for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)]
    assert "名称_x0001_と_x000B_Word" in names
    preview = build_preview(read_workbook(content, "x.xlsx"))
    assert (preview.changes, preview.errors) == ([], [])


# Text a user can store: anything PostgreSQL holds (no NUL, no lone surrogate); names and texts
# must not be blank (the import refuses a blank one), sources may be.
_storable = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
_prefixes = st.sampled_from(["", "'", "''", "=", "'=", "＋", "'－", "@", "\t", "\r", "_x0001_", " "])
_stored_text = st.builds(lambda prefix, rest: prefix + rest, _prefixes, _storable)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=_stored_text.filter(lambda t: t.strip() and len(t) <= 200),
    name_en=_stored_text.filter(lambda t: t.strip()),
    text=_stored_text.filter(lambda t: t.strip()),
    source=_stored_text,
)
def test_any_stored_text_survives_an_xlsx_export_and_its_reimport(name, name_en, text, source):
    project = ProjectFactory(number=1) if not Project.objects.exists() else Project.objects.get()
    Project.objects.filter(pk=project.pk).update(name=name, name_en=name_en)
    Development.objects.filter(project=project).delete()
    Development.objects.create(
        project=project, sequence=1, kind=DevelopmentKind.OTHER, text=text, source=source
    )
    preview = build_preview(read_workbook(export_xlsx(), "x.xlsx"))
    assert (preview.changes, preview.errors) == ([], [])
