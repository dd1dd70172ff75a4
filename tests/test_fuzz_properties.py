"""Property-based tests (hypothesis): the list filters never answer 5xx and refuse bad values
with a 400; search normalization is idempotent and folds full-width to half-width; narrative
text is stored exactly as entered."""

import unicodedata
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from projects.models import Development
from projects.roles import EDITOR, VIEWER
from projects.text import normalize_for_search
from tests.factories import DevelopmentFactory, ProjectFactory, SchemeFactory, UserFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # a fixed seed: CI runs the same examples every time
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PROJECT_FILTERS = [
    "country", "region", "sector", "scheme", "status", "listing_group", "is_new", "won", "q",
    "updated_after", "development_after", "development_before", "ordering", "limit", "offset",
]  # fmt: skip
DEVELOPMENT_FILTERS = [
    "project",
    "country",
    "region",
    "kind",
    "date_after",
    "date_before",
    "q",
    "limit",
    "offset",
]

# Values that are sometimes valid, often not: codes, numbers, dates, booleans and garbage.
values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["true", "false", "1", "0", "yes", "", " ", ",", "-", "ODA", "oda-loan", "VN", "rail"]),
    st.sampled_from(["identification", "implementation", "-number", "name,-updated", "latest_development"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["2024-13-01", "2024-02-30", "0000-01-01", "9999-12-31T24:00", "\x00", "%00", "１２３"]),
)


def query(names):
    return st.dictionaries(
        st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=10)),
        st.lists(values, min_size=1, max_size=3),
        max_size=5,
    )


@pytest.fixture
def client_with_data():
    scheme = SchemeFactory(code="oda-loan")
    project = ProjectFactory(schemes=[scheme])
    DevelopmentFactory(project=project)
    client = APIClient()
    client.force_authenticate(UserFactory(role=VIEWER))
    return client


def _get(client, path, params):
    return client.get(f"{path}?{urlencode(params, doseq=True)}")


@FUZZ
@given(params=query(PROJECT_FILTERS))
def test_project_filters_never_fail(client_with_data, params):
    response = _get(client_with_data, "/api/projects/", params)

    assert response.status_code in (200, 400), (params, response.status_code)
    body = response.json()
    if response.status_code == 400:
        assert body["code"] == "invalid_query" and body["errors"]
        assert set(body["errors"]) <= set(params) | {"non_field_errors"}
    unknown = set(params) - set(PROJECT_FILTERS) - {"format"}
    if unknown:
        assert response.status_code == 400 and unknown <= set(body["errors"])


@FUZZ
@given(params=query(DEVELOPMENT_FILTERS))
def test_development_filters_never_fail(client_with_data, params):
    response = _get(client_with_data, "/api/developments/", params)

    assert response.status_code in (200, 400), (params, response.status_code)


@FUZZ
@given(
    name=st.sampled_from(["is_new", "won"]),
    value=st.text(min_size=1, max_size=10).filter(
        lambda v: v.strip().lower() not in {"true", "false", "1", "0", ""}
    ),
)
def test_a_bad_boolean_is_a_400(client_with_data, name, value):
    response = _get(client_with_data, "/api/projects/", {name: value})

    assert response.status_code == 400
    assert name in response.json()["errors"]


@FUZZ
@given(
    name=st.sampled_from(["limit", "offset"]),
    value=st.one_of(
        st.integers(max_value=-1).map(str), st.text(max_size=8).filter(lambda v: not v.isdigit())
    ),
)
def test_a_bad_page_parameter_is_a_400(client_with_data, name, value):
    response = _get(client_with_data, "/api/projects/", {name: value})

    assert response.status_code == 400
    assert name in response.json()["errors"]


@FUZZ
@given(
    name=st.sampled_from(["development_after", "development_before", "updated_after"]),
    value=st.text(min_size=1, max_size=12).filter(lambda v: not v[:1].isdigit()),
)
def test_a_bad_date_is_a_400(client_with_data, name, value):
    response = _get(client_with_data, "/api/projects/", {name: value})

    assert response.status_code == 400


# Text normalization

PURE = settings(max_examples=500, derandomize=True, database=None)


@PURE
@given(st.text())
@example("a \u0301")  # dropping the space joins a letter and a combining mark
@example("\u01f0")  # casefolding decomposes ǰ
@example("\u00a8x")  # NFKC turns ¨ into a space and a combining mark
def test_normalization_is_idempotent(text):
    for keep_spaces in (True, False):
        once = normalize_for_search(text, keep_spaces=keep_spaces)
        assert normalize_for_search(once, keep_spaces=keep_spaces) == once


# Printable ASCII and its full-width forms (U+FF01–U+FF5E), and the ideographic space.
ascii_text = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40)


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else c for c in text)


@PURE
@given(ascii_text)
def test_full_width_and_half_width_match(text):
    assert normalize_for_search(to_full_width(text)) == normalize_for_search(text)


@PURE
@given(st.text(alphabet="ｱｲｳｴｵｶｷｸｹｺｶﾞｷﾞﾊﾟﾋﾟ ", max_size=20))
def test_half_width_katakana_matches_full_width(text):
    full = unicodedata.normalize("NFKC", text)
    assert normalize_for_search(text) == normalize_for_search(full)


@PURE
@given(st.lists(ascii_text.filter(bool), min_size=1, max_size=4))
def test_spaces_separate_words_in_queries_and_vanish_in_stored_text(words):
    spaced = "\u3000 ".join(words)  # ideographic and ASCII spaces
    assert normalize_for_search(spaced) == " ".join(w.casefold() for w in words)
    assert " " not in normalize_for_search(spaced, keep_spaces=False)


# Narrative text is stored as entered

narrative = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from(["\n", "\t"]),
    min_size=1,
    max_size=200,
).filter(lambda t: t.strip() == t and t.strip())


@pytest.fixture
def editor_client():
    client = APIClient()
    client.force_authenticate(UserFactory(role=EDITOR))
    return client


@FUZZ
@given(text=narrative)
def test_development_text_is_stored_as_entered(editor_client, text):
    project = ProjectFactory()

    response = editor_client.post(
        f"/api/projects/{project.pk}/developments/", {"kind": "other", "text": text}
    )

    assert response.status_code == 201, response.json()
    stored = Development.objects.get(pk=response.json()["id"]).text
    assert stored == text  # not NFKC-folded: full-width digits, half-width kana stay as typed
