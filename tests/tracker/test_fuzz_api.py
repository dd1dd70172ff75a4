"""Schema-driven fuzz of the whole API (schemathesis): every operation, every phase, two roles,
two seeds.

Every operation of the OpenAPI schema the API serves goes through schemathesis' phases:
examples (from the schema), coverage (boundary values, every enum value, missing and wrong
parameters, methods the path does not offer), fuzzing (valid and invalid requests) and, in
`test_api_workflows_survive_fuzzing`, stateful sequences that follow the links between
operations (create a project, then read, change it and add developments to it). Each runs as an
administrator and as a viewer, through the WSGI application in this process. A response fails
the run when it is a 5xx, when its status code is not documented for the operation, or when its
content type, headers or body do not match the schema. The pages the schema leaves out get
every method too.

Seeds: a fixed one, so that every run covers the same ground, and one that changes with the
commit (FUZZ_SEED, else derived from `git rev-parse HEAD`), so that CI explores new inputs over
time. Both are in the test ids and at the top of pytest's output; re-run one with
`FUZZ_SEEDS=<seed> pytest tests/tracker/test_fuzz_api.py` (README: "Fuzzing the API (tests)"). Bounded
by FUZZ_EXAMPLES (fuzzing examples per operation) and FUZZ_STEPS (stateful scenarios).
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from accounts.roles import ADMINISTRATOR, VIEWER
from projects.api.etags import project_etag
from projects.models import Project
from tests.factories import DevelopmentFactory, ProjectFactory, SchemeFactory, UserFactory
from tests.fuzz_seeds import fuzz_seeds
from tokens.models import APIToken

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
STATEFUL_SCENARIOS = int(os.environ.get("FUZZ_STEPS", "25"))

# What fails a run: a 5xx, an undocumented status code, a response whose content type, headers
# or body the schema does not describe. (Checks that judge the server's validation against the
# schema's, such as "accepts every schema-valid body", are not contracts of this API: a code
# the schema allows as a string may name no sector, and that is a 400.)
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]


SEEDS = fuzz_seeds()


def schema_for(seed: int):
    spec = SchemaGenerator().get_schema(request=None, public=True)
    spec["servers"] = [{"url": "/"}]
    config = SchemathesisConfig.from_dict(
        {
            "seed": seed,
            "suppress-health-check": ["all"],
            "generation": {
                "mode": "all",  # valid and invalid requests
                "max-examples": EXAMPLES,
                "database": "none",  # the seed alone decides what runs
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True, "max-steps": 6},
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )
    schema = schemathesis.openapi.from_dict(spec, config=config)
    schema.app = get_wsgi_application()
    return schema


SCHEMAS = {f"seed={seed}": schema_for(seed) for seed in SEEDS}


@pytest.fixture
def keep_connection():
    """Keep the test's database connection between requests, as Django's test client does
    (else request_finished closes it inside the test transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


ROLES = {
    "administrator": {"role": ADMINISTRATOR, "is_superuser": True},
    "viewer": {"role": VIEWER},
}


@pytest.fixture(params=ROLES, ids=lambda name: f"as={name}")
def auth_headers(request, settings, keep_connection):
    settings.ALLOWED_HOSTS = ["*"]
    scheme = SchemeFactory(code="oda-loan")
    project = ProjectFactory(schemes=[scheme])
    DevelopmentFactory(project=project)
    _token, key = APIToken.objects.issue(user=UserFactory(**ROLES[request.param]), name="fuzz")
    return {"Authorization": f"Token {key}"}


def with_current_etag(case, headers: dict) -> dict:
    """A PUT or PATCH of a project needs the project's current ETag in If-Match (else 428): send
    it when the generated case has none and names a project, so that the body reaches
    validation. (Read from the database: a request through Django's test client here would
    reconnect the signal that closes the connection after each request.)"""
    if case.method.upper() not in ("PUT", "PATCH") or case.operation.path != "/api/projects/{id}/":
        return headers
    if any(name.lower() == "if-match" for name in case.headers or {}):
        return headers
    pk = str((case.path_parameters or {}).get("id"))
    project = (
        Project.objects.filter(pk=int(pk)).first() if pk.isascii() and pk.isdigit() and len(pk) < 10 else None
    )
    return {**headers, "If-Match": project_etag(project)} if project else headers


@schemathesis.pytest.parametrize(**SCHEMAS)
def test_api_operation_survives_fuzzing(case, auth_headers):
    case.call_and_validate(headers=with_current_etag(case, auth_headers))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda seed: f"seed={seed}")
def test_api_workflows_survive_fuzzing(seed, auth_headers):
    """The stateful phase: sequences of calls along the links between operations (a created
    project's id feeds its detail, its PATCH, its developments...)."""
    schema = SCHEMAS[f"seed={seed}"]

    class Workflow(schema.as_state_machine()):
        """Each scenario starts from the same data: its writes are rolled back at its end (else
        a scenario's POST would answer differently in the next, and Hypothesis could not replay
        a failing one)."""

        def setup(self):
            cache.clear()  # throttle counters
            self._scenario = transaction.atomic()
            self._scenario.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self._scenario.__exit__(None, None, None)

        def get_call_kwargs(self, case):
            return {"headers": with_current_etag(case, auth_headers)}

    Workflow._hypothesis_internal_use_seed = seed
    Workflow.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=6,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )


# The API's pages the schema does not describe: its root, the schema itself, the docs.
UNDESCRIBED = ["/api/", "/api/schema/", "/api/docs/", "/api/projects/status-table/"]
METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE"]


@pytest.mark.parametrize("path", UNDESCRIBED)
def test_every_method_on_the_apis_pages_answers_without_a_5xx(path, auth_headers):
    client = Client(raise_request_exception=False)

    for method in METHODS:
        response = client.generic(method, path, HTTP_AUTHORIZATION=auth_headers["Authorization"])
        assert response.status_code < 500, (method, path, response.status_code)
