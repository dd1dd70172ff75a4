"""Who may do what: every role × every endpoint × every method, with the exact status code.

401 without credentials, 403 without the permission, 405 for a method the endpoint does not
have (for anyone signed in), and 200/201 when allowed, with a valid body, so a 2xx really
means the write happened.
"""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.roles import ADMINISTRATOR, EDITOR, VIEWER
from projects.api.etags import project_etag
from projects.models import Project
from projects.spreadsheets.apply import import_batch_create
from projects.spreadsheets.export import write_list_xlsx
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

ANONYMOUS, NO_ROLE = "anonymous", "no role"
ROLES = [ANONYMOUS, NO_ROLE, VIEWER, EDITOR, ADMINISTRATOR]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@pytest.fixture
def data():
    region = RegionFactory(code="south-east-asia")
    country = CountryFactory(iso_code="VN", region=region)
    group = HeadingFactory(number=1)
    sector = SectorFactory(code="rail")
    scheme = SchemeFactory(code="oda-loan")
    project = ProjectFactory(
        number=1, country=country, listing_group=group, sectors=[sector], schemes=[scheme]
    )
    batch = import_batch_create(source=_edited_export(), filename="weekly.xlsx")
    assert batch.state == "previewed", batch.preview
    return {"project": project, "region": region, "country": country, "group": group, "batch": batch}


def _edited_export() -> bytes:
    """An export of the projects with one status edited: a clean file for the import endpoints."""
    buffer = io.BytesIO()
    write_list_xlsx(Project.objects.all(), buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = workbook.worksheets[0]
    status_column = next(cell.column for cell in sheet[1] if cell.value in ("Status", "ステータス"))
    sheet.cell(row=2, column=status_column, value="preparation")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def import_body(data):
    return {"file": SimpleUploadedFile("weekly.xlsx", _edited_export())}


def project_body(data, number):
    return {
        "number": number,
        "name": "テスト事業",
        "name_en": "Test project",
        "summary": "概要",
        "country": "VN",
        "sectors": ["rail"],
        "schemes": ["oda-loan"],
    }


def region_body(data):
    return {"code": "new-region", "name_ja": "新地域", "name_en": "New region", "order": 99}


def country_body(data):
    return {"iso_code": "ZZ", "name_ja": "新国", "name_en": "New country", "region": "south-east-asia"}


def sector_body(data):
    return {
        "code": "new-sector",
        "name_ja": "新分野",
        "name_en": "New sector",
        "dac_code": 21010,
        "order": 99,
    }


def scheme_body(data):
    return {"code": "new-scheme", "family": "PPP", "name_ja": "新", "name_en": "New", "order": 99}


def with_key(body, key, value):
    return {**body, key: value}


# Each endpoint: path, the permission-bearing model's write rules, and valid bodies.
# "writer": which roles may write (POST/PUT/PATCH) where the endpoint has those methods.
ENDPOINTS = {
    "root": {"path": "/api/", "methods": {"GET"}, "read": "any"},
    "schema": {"path": "/api/schema/", "methods": {"GET"}, "read": "any"},
    "docs": {"path": "/api/docs/", "methods": {"GET"}, "read": "any"},
    "projects": {
        "path": "/api/projects/",
        "methods": {"GET", "POST"},
        "writer": EDITOR,
        "POST": lambda d: project_body(d, 777),
    },
    "project": {
        "path": "/api/projects/{project}/",
        "methods": {"GET", "PUT", "PATCH"},
        "writer": EDITOR,
        "PUT": lambda d: project_body(d, 1),
        "PATCH": lambda d: {"name_en": "Changed"},
    },
    "project-developments": {
        "path": "/api/projects/{project}/developments/",
        "methods": {"GET", "POST"},
        "writer": EDITOR,
        "POST": lambda d: {"kind": "other", "text": "新しい動き"},
    },
    "project-status-changes": {
        "path": "/api/projects/{project}/status-changes/",
        "methods": {"GET", "POST"},
        "writer": EDITOR,
        "POST": lambda d: {"status": "preparation"},
    },
    "status-table": {"path": "/api/projects/status-table/", "methods": {"GET"}},
    "developments": {"path": "/api/developments/", "methods": {"GET"}},
    "imports": {
        "path": "/api/imports/",
        "methods": {"GET", "POST"},
        "writer": EDITOR,
        "POST": import_body,
        "format": "multipart",
    },
    "import": {"path": "/api/imports/{batch}/", "methods": {"GET"}},
    "import-apply": {
        "path": "/api/imports/{batch}/apply/",
        "methods": {"POST"},
        "writer": EDITOR,
        "POST": lambda d: {},
        "created": 200,
    },
    "regions": {
        "path": "/api/regions/",
        "methods": {"GET", "POST"},
        "writer": ADMINISTRATOR,
        "POST": region_body,
    },
    "region": {
        "path": "/api/regions/south-east-asia/",
        "methods": {"GET", "PUT", "PATCH"},
        "writer": ADMINISTRATOR,
        "PUT": lambda d: with_key(region_body(d), "code", "south-east-asia"),
        "PATCH": lambda d: {"name_en": "SEA"},
    },
    "countries": {
        "path": "/api/countries/",
        "methods": {"GET", "POST"},
        "writer": ADMINISTRATOR,
        "POST": country_body,
    },
    "country": {
        "path": "/api/countries/VN/",
        "methods": {"GET", "PUT", "PATCH"},
        "writer": ADMINISTRATOR,
        "PUT": lambda d: with_key(country_body(d), "iso_code", "VN"),
        "PATCH": lambda d: {"name_en": "Vietnam"},
    },
    "sectors": {
        "path": "/api/sectors/",
        "methods": {"GET", "POST"},
        "writer": ADMINISTRATOR,
        "POST": sector_body,
    },
    "sector": {
        "path": "/api/sectors/rail/",
        "methods": {"GET", "PUT", "PATCH"},
        "writer": ADMINISTRATOR,
        "PUT": lambda d: with_key(sector_body(d), "code", "rail"),
        "PATCH": lambda d: {"name_en": "Railways"},
    },
    "schemes": {
        "path": "/api/schemes/",
        "methods": {"GET", "POST"},
        "writer": ADMINISTRATOR,
        "POST": scheme_body,
    },
    "scheme": {
        "path": "/api/schemes/oda-loan/",
        "methods": {"GET", "PUT", "PATCH"},
        "writer": ADMINISTRATOR,
        "PUT": lambda d: with_key(scheme_body(d), "code", "oda-loan"),
        "PATCH": lambda d: {"name_en": "Yen loan"},
    },
    "editions": {
        "path": "/api/editions/",
        "methods": {"GET", "POST"},
        "writer": EDITOR,
        "POST": lambda d: {"year": 2024},
    },
    "edition": {"path": "/api/editions/2023/", "methods": {"GET"}},
    "changes": {"path": "/api/changes/", "methods": {"GET"}},
    "summary": {"path": "/api/summary/", "methods": {"GET"}},
    # Every role keeps its own saved filters (one's own row: tests/savedfilters/test_api.py).
    "saved-filters": {
        "path": "/api/saved-filters/",
        "methods": {"GET", "POST"},
        "writer": VIEWER,
        "POST": lambda d: {"name": "鉄道", "query": "sector=rail"},
    },
    # And its own watches (one's own row: tests/watches/test_api.py).
    "watches": {
        "path": "/api/watches/",
        "methods": {"GET", "POST"},
        "writer": VIEWER,
        "POST": lambda d: {"kind": "sector", "code": "rail"},
    },
    # Every role keeps its own digest preference (tests/digests/test_preference.py).
    "digest-preference": {
        "path": "/api/digest-preference/",
        "methods": {"GET", "PUT", "PATCH"},
        "writer": VIEWER,
        "PUT": lambda d: {"language": "en", "enabled": True},
        "PATCH": lambda d: {"enabled": False},
    },
}

WRITERS = {
    VIEWER: {VIEWER, EDITOR, ADMINISTRATOR},
    EDITOR: {EDITOR, ADMINISTRATOR},
    ADMINISTRATOR: {ADMINISTRATOR},
}


def expected_status(role, endpoint, method):
    spec = ENDPOINTS[endpoint]
    if role == ANONYMOUS:
        return 401
    if method not in spec["methods"]:
        return 405
    if spec.get("read") == "any":
        return 200
    if method == "GET":
        return 403 if role == NO_ROLE else 200
    if role not in WRITERS[spec["writer"]]:
        return 403
    return spec.get("created", 201) if method == "POST" else 200


def client_for(role):
    client = APIClient()
    if role != ANONYMOUS:
        client.force_login(UserFactory(role=None if role == NO_ROLE else role))
    return client


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(data, role, endpoint, method):
    spec = ENDPOINTS[endpoint]
    path = spec["path"].format(project=data["project"].pk, batch=data["batch"].pk)
    body = spec[method](data) if method in spec else None
    headers = {"HTTP_IF_MATCH": project_etag(data["project"])} if endpoint == "project" else {}
    client = client_for(role)

    response = getattr(client, method.lower())(path, body, format=spec.get("format", "json"), **headers)

    assert response.status_code == expected_status(role, endpoint, method), getattr(response, "data", None)
    if response.status_code in (401, 403, 405) and endpoint not in ("docs", "status-table"):  # HTML
        assert set(response.data) == {"detail", "code"}
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == 'Token realm="api"'


def test_matrix_covers_every_router_endpoint():
    """A new endpoint must join the matrix."""
    from tracker.api_router import router

    listed = {spec["path"] for spec in ENDPOINTS.values()}
    for prefix, _viewset, _basename in router.registry:
        path = "/api/" + re.sub(r"\(\?P<project_pk>[^)]*\)", "{project}", prefix) + "/"
        assert path in listed, prefix


# A browser without a session (a link to an HTML page) goes to the login page and comes back;
# scripts keep the JSON 401.

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    "path", ["/api/projects/status-table/?format=html", "/api/docs/", "/api/", "/api/projects/?country=VN"]
)
def test_a_browser_without_a_session_is_sent_to_the_login_page_and_back(client, path):
    from urllib.parse import quote

    response = client.get(path, HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=" + quote(path, safe="/")


def test_after_login_the_browser_lands_on_the_page_it_asked_for(client):
    user = UserFactory(role=VIEWER, is_staff=True)
    user.set_password("long enough passphrase 42")
    user.save()
    login_page = client.get("/api/projects/status-table/?format=html", HTTP_ACCEPT=BROWSER_ACCEPT)["Location"]
    assert client.get(login_page).status_code == 200

    response = client.post(login_page, {"username": user.username, "password": "long enough passphrase 42"})

    assert response.status_code == 302
    assert response["Location"] == "/api/projects/status-table/?format=html"


@pytest.mark.parametrize("accept", ["*/*", "application/json", ""])
def test_scripts_without_credentials_still_get_the_json_401(client, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}

    response = client.get("/api/projects/status-table/?format=json", **headers)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_browser_sending_a_bad_token_gets_the_401_not_a_login_page(client):
    response = client.get("/api/projects/", HTTP_ACCEPT=BROWSER_ACCEPT, HTTP_AUTHORIZATION="Token nope.nope")

    assert response.status_code == 401


def test_a_missing_object_is_a_404_in_the_readers_language(data):
    client = client_for(VIEWER)

    japanese = client.get("/api/projects/999999/")
    english = client.get("/api/projects/999999/", HTTP_ACCEPT_LANGUAGE="en")

    assert japanese.status_code == english.status_code == 404
    assert japanese.json() == {"detail": "見つかりません。", "code": "not_found"}
    assert english.json() == {"detail": "Not found.", "code": "not_found"}
