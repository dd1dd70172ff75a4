"""Hostile and careless input to the API gets a clear 4xx in the API's error shape, never a 5xx,
and changes nothing (issue 11's probes, issue 12's filter messages)."""

import io
import json

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from projects.models import Project, Sector
from tests.clients import client_for
from tests.factories import (
    CountryFactory,
    HeadingFactory,
    ProjectFactory,
    RegionFactory,
    SchemeFactory,
    SectorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer_client():
    return client_for(VIEWER)


@pytest.fixture
def editor_client():
    return client_for(EDITOR)


@pytest.fixture
def admin_client():
    return client_for(ADMINISTRATOR)


@pytest.fixture
def project():
    return ProjectFactory(
        number=7,
        country=CountryFactory(iso_code="VN", region=RegionFactory(code="south-east-asia")),
        sectors=[SectorFactory(code="rail")],
        schemes=[SchemeFactory(code="oda-loan")],
        listing_group=HeadingFactory(number=1),
    )


def assert_400(response, *names):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) >= {"detail", "code", "errors"}, body
    if names:
        assert set(body["errors"]) == set(names), body
    return body


def create_payload(**overrides):
    payload = {
        "number": 501,
        "name": "新しい案件",
        "name_en": "A new project",
        "summary": "概要",
        "country": "VN",
        "listing_group": 1,
        "sectors": ["rail"],
    }
    payload.update(overrides)
    return payload


# 1. The format override on the list


@pytest.mark.parametrize("fmt", ["json", "api", ""])
def test_list_with_a_format_override_answers_200(viewer_client, project, fmt):
    accept = "text/html" if fmt == "api" else "application/json"
    response = viewer_client.get(f"/api/projects/?format={fmt}", HTTP_ACCEPT=accept)

    assert response.status_code == 200
    if fmt != "api":
        url = response.json()["results"][0]["url"]
        # The same link the detail's own serializer gives (DRF keeps ?format= in links).
        assert url == viewer_client.get(f"/api/projects/{project.pk}/?format={fmt}").json()["url"]
        assert url.split("?")[0].endswith(f"/api/projects/{project.pk}/")


# 2. NUL bytes and control characters


@pytest.mark.parametrize("path", ["/api/sectors/%00/", "/api/regions/%00/", "/api/schemes/%00x/"])
def test_a_nul_byte_in_a_code_path_is_404(viewer_client, path):
    response = viewer_client.get(path)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"country": "V\u0000"}, "country"),
        ({"sectors": ["a\u0000"]}, "sectors"),
        ({"schemes": [{"code": "x\u0000"}]}, "schemes"),
    ],
)
def test_a_nul_byte_in_a_code_of_a_body_is_400(editor_client, project, overrides, field):
    response = editor_client.post("/api/projects/", create_payload(**overrides), format="json")

    assert_400(response, field)
    assert not Project.objects.filter(number=501).exists()


def test_a_nul_byte_in_a_countrys_region_is_400(admin_client, project):
    response = admin_client.post(
        "/api/countries/",
        {"iso_code": "TH", "name_ja": "タイ", "name_en": "Thailand", "region": "south\u0000"},
        format="json",
    )

    assert_400(response, "region")


@pytest.mark.parametrize("char", ["\u0000", "\u0001", "\u000b", "\u001f", "\u007f", "\u0085"])
@pytest.mark.parametrize("field", ["name", "summary"])
def test_a_control_character_in_a_text_is_400_naming_the_field(editor_client, project, char, field):
    body = json.dumps(create_payload(**{field: f"a{char}b"}))
    response = editor_client.post("/api/projects/", body, content_type="application/json")

    body = assert_400(response, field)
    assert f"U+{ord(char):04X}" in body["errors"][field][0]
    assert not Project.objects.filter(number=501).exists()


def test_tabs_and_line_breaks_are_allowed_in_long_texts_only(editor_client, project):
    refused = editor_client.post("/api/projects/", create_payload(name="a\tb"), format="json")
    created = editor_client.post(
        "/api/projects/", create_payload(summary="一行目\r\n二行目\n\t三行目"), format="json"
    )

    assert_400(refused, "name")
    assert created.status_code == 201, created.content
    assert Project.objects.get(number=501).summary == "一行目\r\n二行目\n\t三行目"


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("developments", {"kind": "other", "text": "x\u0000"}),
        ("status-changes", {"status": "preparation", "note": "x\u0001"}),
    ],
)
def test_a_control_character_in_a_child_text_is_400(editor_client, project, url, body):
    response = editor_client.post(f"/api/projects/{project.pk}/{url}/", body, format="json")

    assert_400(response, next(name for name in body if name in ("text", "note")))


def test_a_control_character_in_reference_data_is_400(admin_client):
    response = admin_client.post(
        "/api/sectors/",
        {"code": "water", "name_ja": "水\u0000", "name_en": "Water", "dac_code": 14020},
        format="json",
    )

    assert_400(response, "name_ja")
    assert not Sector.objects.filter(code="water").exists()


def test_the_model_refuses_control_characters_for_every_writer(project):
    """The admin and the imports write through full_clean: the same validator refuses."""
    from django.core.exceptions import ValidationError

    project.name_en = "Word\u000bpasted"
    with pytest.raises(ValidationError) as error:
        project.full_clean(exclude=["search_text"])

    assert "name_en" in error.value.message_dict


def test_the_plan_data_holds_no_refused_character(plan_data):
    for project in Project.objects.all():
        project.full_clean(exclude=["search_text"])


@pytest.mark.parametrize(
    "params",
    [
        "q=%00",
        "country=V%00",
        "status=%00",
        "sector=%00",
        "ordering=%00",
        "updated_after=%00",
        "scheme=%00",
        "listing_group=%00",
    ],
)
def test_a_nul_byte_in_a_filter_is_400(viewer_client, project, params):
    assert_400(viewer_client.get(f"/api/projects/?{params}"), params.split("=")[0])


# 3. Time zone offsets PostgreSQL cannot store


@pytest.mark.parametrize("offset", ["%2B16:00", "-23:59", "%2B15:59:60", "%2B99:00"])
def test_updated_after_with_an_offset_beyond_15_59_is_400(viewer_client, project, offset):
    assert_400(
        viewer_client.get(f"/api/projects/?updated_after=2024-01-01T00:00:00{offset}"), "updated_after"
    )


def test_updated_after_with_the_largest_offset_works(viewer_client, project):
    response = viewer_client.get("/api/projects/?updated_after=2000-01-01T00:00:00-15:59")

    assert response.status_code == 200
    assert response.json()["count"] == 1


# 4. Numbers beyond a float and deep JSON


@pytest.mark.parametrize(
    "body",
    [
        '{"listing_group": 1e400}',
        '{"number": 1e400}',
        '{"number": -1e400}',
        '{"number": NaN}',
        "[" * 100_000 + "]" * 100_000,
        '{"name": ',
    ],
)
def test_json_the_server_cannot_read_is_400_with_errors(editor_client, project, body):
    response = editor_client.post("/api/projects/", body, content_type="application/json")

    body = assert_400(response)
    assert body["code"] == "parse_error"
    assert list(body["errors"]) == ["non_field_errors"]


# 5. OPTIONS on the HTML endpoints


@pytest.mark.parametrize("path", ["/api/projects/status-table/", "/api/docs/", "/api/projects/"])
def test_options_answers_json_metadata(viewer_client, path):
    response = viewer_client.options(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["name"]


# 6. Unknown fields


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("developments", {"kind": "other", "text": "x", "sequence": 99}),
        ("status-changes", {"status": "preparation", "recorded_by": "someone"}),
    ],
)
def test_unknown_fields_in_a_child_post_are_refused(editor_client, project, url, body):
    response = editor_client.post(f"/api/projects/{project.pk}/{url}/", body, format="json")

    assert_400(response, next(name for name in body if name in ("sequence", "recorded_by")))
    assert project.developments.count() == 0
    assert project.status_changes.count() == 1


# 9. Files exist on the list only


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_project_in_a_file_format_is_refused(viewer_client, project, fmt):
    response = viewer_client.get(f"/api/projects/{project.pk}/?format={fmt}")

    body = assert_400(response, "format")
    assert response["Content-Type"] == "application/json"
    assert "api, json" in body["errors"]["format"][0]


def test_a_project_asked_for_as_csv_by_accept_is_406(viewer_client, project):
    response = viewer_client.get(f"/api/projects/{project.pk}/", HTTP_ACCEPT="text/csv")

    assert response.status_code == 406


# 10. Empty filter values and pages


@pytest.mark.parametrize(
    "params",
    ["updated_after=", "is_new=", "country=,,,", "country=", "status=%20", "q=", "development_after="],
)
def test_an_empty_filter_value_is_400_not_no_filter(viewer_client, project, params):
    assert_400(viewer_client.get(f"/api/projects/?{params}"), params.split("=")[0])


def test_an_empty_feed_filter_value_is_400(viewer_client, project):
    assert_400(viewer_client.get("/api/developments/?kind=,"), "kind")


def test_a_project_refuses_limit(viewer_client, project):
    assert_400(viewer_client.get(f"/api/projects/{project.pk}/?limit=5"), "limit")


# 8. Chunked bodies and writes that change nothing


def etag_of(client, project):
    return client.get(f"/api/projects/{project.pk}/")["ETag"]


def chunked_patch(client, project, body, etag, *, terminated=True):
    data = json.dumps(body).encode()
    environ = {"CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(data)}
    if terminated:
        environ["wsgi.input_terminated"] = True  # gunicorn's promise: the stream ends with the body
    return client.generic(
        "PATCH",
        f"/api/projects/{project.pk}/",
        data,
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **environ,
    )


def test_a_chunked_patch_is_read(editor_client, project):
    response = chunked_patch(
        editor_client, project, {"name_en": "Sent in chunks"}, etag_of(editor_client, project)
    )

    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert project.name_en == "Sent in chunks"
    assert project.version == 2


def test_a_chunked_body_over_the_limit_is_413(editor_client, project, settings):
    settings.API_MAX_BODY_BYTES = 1024
    etag = etag_of(editor_client, project)

    response = chunked_patch(editor_client, project, {"name_en": "x" * 2000}, etag)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    project.refresh_from_db()
    assert project.version == 1


def test_a_chunked_body_a_server_cannot_delimit_is_411(editor_client, project):
    etag = etag_of(editor_client, project)

    response = chunked_patch(editor_client, project, {"name_en": "x"}, etag, terminated=False)

    assert response.status_code == 411
    project.refresh_from_db()
    assert project.version == 1


@pytest.mark.parametrize("same", [False, True])
def test_a_patch_that_changes_nothing_keeps_version_etag_and_history(editor_client, project, same):
    etag = etag_of(editor_client, project)
    history = project.history.count()
    body = {"name": project.name, "country": "VN", "sectors": ["rail"], "listing_group": 1} if same else {}

    response = editor_client.patch(f"/api/projects/{project.pk}/", body, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] == etag
    project.refresh_from_db()
    assert project.version == 1
    assert project.history.count() == history


# 12. Filter errors name the known values; codes ignore case


@pytest.mark.parametrize(
    ("params", "known"),
    [
        ("status=started", "identification, preparation, procurement"),
        ("ordering=colour", "number, -number, name"),
        ("sector=roads", "rail"),
        ("region=asia", "south-east-asia"),
        ("scheme=grant", "ODA, PPP, JOIN, PRIVATE, oda-loan"),
        ("country=XX", "VN"),
    ],
)
def test_a_filter_error_lists_the_known_values(viewer_client, project, params, known):
    body = assert_400(viewer_client.get(f"/api/projects/?{params}"), params.split("=")[0])

    assert known in body["errors"][params.split("=")[0]][0]


def test_a_feed_kind_error_lists_the_kinds(viewer_client, project):
    body = assert_400(viewer_client.get("/api/developments/?kind=rumour"), "kind")

    assert "agreement, decision" in body["errors"]["kind"][0]


@pytest.mark.parametrize(
    "params",
    [
        "country=vn",
        "status=Identification",
        "sector=RAIL",
        "region=South-East-Asia",
        "scheme=Oda-Loan",
        "scheme=oda",
    ],
)
def test_codes_match_whatever_their_case(viewer_client, project, params):
    response = viewer_client.get(f"/api/projects/?{params}")

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1


def test_a_bearer_token_is_told_to_use_token(db):
    response = APIClient().get("/api/projects/", HTTP_AUTHORIZATION="Bearer abc.def")

    assert response.status_code == 401
    assert "Token" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Token")


# 7. Long searches and the app's own error pages


def test_a_search_of_200_characters_works_and_a_longer_one_is_400(viewer_client, project):
    from projects.filtersets import Q_MAX_LENGTH

    assert viewer_client.get(f"/api/projects/?q={'あ' * Q_MAX_LENGTH}").status_code == 200
    body = assert_400(viewer_client.get(f"/api/projects/?q={'x' * 10_000}"), "q")
    assert "200" in body["errors"]["q"][0]


@pytest.mark.parametrize(
    ("extra", "code"),
    [({"HTTP_HOST": "evil.example"}, 400), ({}, 404)],
)
def test_djangos_own_refusals_under_api_are_json_with_the_security_headers(viewer_client, extra, code):
    response = viewer_client.get("/api/no-such-endpoint/", **extra)

    assert response.status_code == code
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail", "code"}
    assert response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_csrf_refusal_under_api_is_json(project):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(UserFactory(role=EDITOR))

    response = client.post("/api/projects/", create_payload(), format="json")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"


def test_gunicorn_passes_every_line_the_app_can_answer():
    import runpy
    from pathlib import Path

    config = runpy.run_path(str(Path(django_settings.BASE_DIR) / "gunicorn.conf.py"))

    assert config["limit_request_line"] == 8190
