"""Property-based tests (hypothesis): any string in any filter of the lists answers 200 or a 400
naming it, never a 5xx; any body to any write answers 2xx or a 4xx JSON error, never a 5xx;
search normalization is idempotent and folds full-width to half-width; narrative text is stored
exactly as entered."""

import json
import unicodedata
from urllib.parse import urlencode

import pytest
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from projects.filtersets import DevelopmentFilterSet, ProjectFilterSet
from projects.models import Development, Project
from projects.text import normalize_for_search
from tests.factories import (
    CountryFactory,
    DevelopmentFactory,
    HeadingFactory,
    ProjectFactory,
    RegionFactory,
    SchemeFactory,
    SectorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # a fixed seed: CI runs the same examples every time
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Every parameter the lists read: their filtersets' filters (so a new filter is fuzzed too), the
# page, and the list's `format` (json, api, csv, xlsx).
PAGE = ["limit", "offset"]
PROJECT_FILTERS = [*ProjectFilterSet.base_filters, *PAGE]
DEVELOPMENT_FILTERS = [*DevelopmentFilterSet.base_filters, *PAGE]

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


# Any string at all: NUL and other control characters, any script, very long, and the values that
# once crashed the API (offsets past +-15:59, a format the list's rows mishandled, 1e400).
any_string = st.one_of(
    st.text(),
    st.text(max_size=3000),
    values,
    st.sampled_from(
        [
            "\x00", "VN\x00", "a\x00,b", "1e400", "-1e400", "nan", "inf", "9" * 400, "x" * 10_000,
            "2024-01-01T00:00+16:00", "2024-01-01T00:00-23:59", "2024-01-01T00:00:00+15:59:60",
            "2024-01-01T00:00:00Z", "json", "api", "csv", "xlsx", "html", ",,,",
        ]
    ),
)  # fmt: skip


def assert_200_or_400(response, params):
    assert response.status_code in (200, 400), (params, response.status_code)
    if response.status_code == 400:
        body = response.json()
        assert body["code"] == "invalid_query" and body["errors"], (params, body)


@FUZZ
@given(name=st.sampled_from([*PROJECT_FILTERS, "format"]), value=any_string)
def test_any_string_in_any_project_filter_is_200_or_400(client_with_data, name, value):
    assert_200_or_400(_get(client_with_data, "/api/projects/", {name: value}), {name: value})


@FUZZ
@given(name=st.sampled_from(PROJECT_FILTERS), value=any_string)
def test_any_string_in_any_status_table_filter_is_200_or_400(client_with_data, name, value):
    response = _get(client_with_data, "/api/projects/status-table/", {name: value, "format": "json"})

    assert_200_or_400(response, {name: value})


@FUZZ
@given(name=st.sampled_from(DEVELOPMENT_FILTERS), value=any_string)
def test_any_string_in_any_development_filter_is_200_or_400(client_with_data, name, value):
    assert_200_or_400(_get(client_with_data, "/api/developments/", {name: value}), {name: value})


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


# Narrative text is stored as entered (any text the control-character rule lets through)

narrative = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\ufffe\uffff")
    | st.sampled_from(["\n", "\t"]),
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


# Any JSON body to any write

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
WRITES = [
    (method.upper(), path, operation)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if method in ("post", "put", "patch")
]


def body_fields(operation) -> list[str]:
    """The fields the operation's JSON body documents (none for a multipart upload)."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return []
    ref = content["schema"].get("$ref", "")
    component = SCHEMA["components"]["schemas"].get(ref.rsplit("/", 1)[-1], content["schema"])
    return sorted(component.get("properties", {}))


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["", "\x00", "V\x00", "x\x00", "VN", "rail", "oda-loan", "2024-03-01", "day", "other"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# Bodies JSON allows and Python's json module does not write: numbers beyond a float, nesting
# deeper than any parser's recursion, duplicate keys; and texts that are not JSON at all.
RAW_VALUES = ["1e400", "-1e400", "1" * 5000, "[" * 100_000 + "]" * 100_000, '"\\ud800"', "[1, 2"]
RAW_BODIES = ["", "null", "{", "{}}", "\x00", '{"a": 1, "a": 2}', "[" * 100_000, "{" * 50_000]


def json_bodies(fields: list[str]):
    documented = (
        st.dictionaries(st.sampled_from(fields), json_values, max_size=len(fields))
        if fields
        else st.nothing()
    )
    with_raw_value = (
        st.tuples(st.sampled_from(fields), st.sampled_from(RAW_VALUES)).map(lambda f: f'{{"{f[0]}": {f[1]}}}')
        if fields
        else st.nothing()
    )
    return st.one_of(
        documented.map(json.dumps),
        json_values.map(json.dumps),
        with_raw_value,
        st.sampled_from(RAW_BODIES),
    )


@pytest.fixture
def admin_client(client_with_data):
    RegionFactory(code="asia")
    CountryFactory(iso_code="VN")
    SectorFactory(code="rail")
    HeadingFactory(number=1)
    client = APIClient()
    client.force_authenticate(UserFactory(role=ADMINISTRATOR, is_superuser=True))
    return client


def concrete_path(path: str) -> str:
    """The path template with every parameter naming an existing row."""
    project = Project.objects.order_by("pk").first()
    return (
        path.replace("{id}", str(project.pk))
        .replace("{project_pk}", str(project.pk))
        .replace("{iso_code}", "VN")
        .replace("{number}", "1")
        .replace(
            "{code}",
            {"regions": "asia", "sectors": "rail", "schemes": "oda-loan"}.get(path.split("/")[2], "x"),
        )
    )


@pytest.mark.parametrize(("method", "path", "operation"), WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_any_json_body_is_2xx_or_4xx(admin_client, method, path, operation):
    fields = body_fields(operation)

    @FUZZ
    @given(body=json_bodies(fields))
    def run(body):
        url = concrete_path(path)
        headers = {}
        if method in ("PUT", "PATCH") and path.startswith("/api/projects/"):
            headers["HTTP_IF_MATCH"] = admin_client.get(url)["ETag"]  # the current version
        response = admin_client.generic(method, url, body, content_type="application/json", **headers)

        assert 200 <= response.status_code < 500, (body[:200], response.status_code)
        if response.status_code >= 400:
            error = response.json()
            assert error["detail"] and error["code"], (body[:200], error)
            if response.status_code == 400:
                assert error["errors"], (body[:200], error)

    run()
