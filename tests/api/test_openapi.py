"""The OpenAPI schema declares every operation's error answers as RFC 9457 problem bodies, and they are true."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Annotated, Any

import jsonschema_rs
import pytest
import schemathesis
from fastapi import Depends, FastAPI, Header, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from schemathesis.core.result import Ok

from api.main import create_app
from api.openapi import PROBLEM_JSON, install_problem_responses
from core.config import Settings
from core.models import Role
from tests.conftest import Api
from tests.samples import elf_executable

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method, path, operation


def problem_statuses(operation: dict[str, Any]) -> set[int]:
    return {
        int(status)
        for status, response in operation["responses"].items()
        if PROBLEM_JSON in response.get("content", {})
    }


class Thing(BaseModel):
    name: str


ToyToken = Annotated[HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    # The schema does not depend on the settings' backends: no lifespan runs here.
    app = create_app(Settings(environment="test", data_dir="/nonexistent-casefile-openapi-test"))
    install_problem_responses(app)
    return app.openapi()


def test_every_api_operation_declares_problem_answers(schema: dict[str, Any]) -> None:
    api_operations = [(method, path, op) for method, path, op in operations(schema) if path.startswith("/api/v1/")]
    assert len(api_operations) >= 11
    for method, path, operation in api_operations:
        statuses = problem_statuses(operation)
        label = f"{method.upper()} {path}"
        if path == "/api/v1/auth/login":  # the one anonymous route: it answers bad credentials and throttling
            assert {401, 429, 503} <= statuses, label
            continue
        assert {401, 403, 503} <= statuses, label
        assert operation["responses"]["401"]["headers"]["WWW-Authenticate"], label
        if "{" in path:
            assert 404 in statuses, label
        for status in statuses:
            content = operation["responses"][str(status)]["content"]
            assert list(content) == [PROBLEM_JSON], f"{label} {status}: only problem bodies are sent"


def test_operation_specific_problems(schema: dict[str, Any]) -> None:
    paths = schema["paths"]
    upload = problem_statuses(paths["/api/v1/cases/{case_id}/documents"]["post"])
    assert {404, 413, 415, 422} <= upload
    assert 400 in problem_statuses(paths["/api/v1/search"]["get"])
    assert 400 in problem_statuses(paths["/api/v1/cases"]["get"])  # `q` there is a full-text query too
    download = paths["/api/v1/documents/{document_id}/file"]["get"]
    assert 416 in problem_statuses(download)
    assert "Content-Range" in download["responses"]["416"]["headers"]
    assert {400, 409} <= problem_statuses(paths["/api/v1/cases"]["post"])  # 400: a body that cannot be decoded
    # Only what the route can give: no 404 without a path id, no 415 without a file, no 416 without Range.
    assert 404 not in problem_statuses(paths["/api/v1/search"]["get"])
    assert 415 not in problem_statuses(paths["/api/v1/cases"]["post"])
    assert 416 not in problem_statuses(paths["/api/v1/documents/{document_id}"]["get"])
    assert 400 not in problem_statuses(paths["/api/v1/documents/{document_id}"]["get"])
    # The probes are unauthenticated and render their own bodies.
    assert problem_statuses(paths["/health"]["get"]) == set()


def test_fastapi_validation_shape_is_replaced(schema: dict[str, Any]) -> None:
    names = schema["components"]["schemas"]
    assert "HTTPValidationError" not in names
    assert "ValidationError" not in names
    assert set(names["ProblemDetails"]["properties"]) == {"type", "title", "status", "detail", "instance"}
    assert names["ProblemDetails"]["additionalProperties"] is True
    for _method, _path, operation in operations(schema):
        for response in operation["responses"].values():
            assert "application/json" not in response.get("content", {}) or "HTTPValidationError" not in str(response)


def test_schemathesis_loads_and_validates_the_schema(schema: dict[str, Any]) -> None:
    loaded = schemathesis.openapi.from_dict(schema)
    loaded.validate()  # raises on a schema that breaks the OpenAPI 3.1 meta-schema
    results = list(loaded.get_all_operations())
    assert all(isinstance(result, Ok) for result in results), "every operation must load"
    labels = {result.ok().label for result in results if isinstance(result, Ok)}
    assert "POST /api/v1/cases/{case_id}/documents" in labels


def test_installing_twice_changes_nothing() -> None:
    app = create_app(Settings(environment="test", data_dir="/nonexistent-casefile-openapi-test"))
    install_problem_responses(app)
    once = copy.deepcopy(app.openapi())
    install_problem_responses(app)
    assert app.openapi() == once


def test_derived_from_the_routes_not_from_names() -> None:
    """A toy app: the rules follow security, path ids, bodies, `q` and Range, whatever the route is called."""
    app = FastAPI()

    @app.get("/open")
    def open_route() -> dict[str, str]:
        return {}

    @app.get("/things/{thing_id}", responses={404: {"description": "mine"}})
    def read(thing_id: str, token: ToyToken) -> Thing:
        return Thing(name=thing_id)

    @app.put("/things/{thing_id}")
    def write(thing_id: str, thing: Thing) -> Thing:
        return thing

    @app.post("/blobs")
    def blob(file: UploadFile, range_header: Annotated[str | None, Header(alias="Range")] = None) -> None:
        return None

    install_problem_responses(app)
    paths = app.openapi()["paths"]
    assert problem_statuses(paths["/open"]["get"]) == set()
    read_op = paths["/things/{thing_id}"]["get"]
    # The route's own 404 keeps its description and, being an error, is sent as a problem body too.
    assert problem_statuses(read_op) == {401, 403, 404, 422, 503}
    assert "mine" in read_op["responses"]["404"]["description"]
    assert problem_statuses(paths["/things/{thing_id}"]["put"]) == {400, 404, 409, 413, 422}
    assert problem_statuses(paths["/blobs"]["post"]) == {400, 413, 415, 416, 422}


def _validator(schema: dict[str, Any], path: str, method: str, status: int) -> jsonschema_rs.Validator:
    response_schema = schema["paths"][path][method]["responses"][str(status)]["content"][PROBLEM_JSON]["schema"]
    return jsonschema_rs.validator_for({**response_schema, "components": schema["components"]})


def test_problem_bodies_the_app_sends_match_the_declared_schema(api: Api) -> None:
    app = api.client.app
    assert isinstance(app, FastAPI)
    install_problem_responses(app)  # idempotent: harmless once api/main.py installs it too
    schema = app.openapi()
    case_id = api.create_case("1 of 2024")["id"]
    not_json = api.headers() | {"Content-Type": "application/json"}
    answers = [
        ("/api/v1/cases/{case_id}", "get", api.client.get("/api/v1/cases/nope"), 401),
        ("/api/v1/cases/{case_id}", "patch", api.patch(f"/api/v1/cases/{case_id}", Role.focal_person, json={}), 403),
        ("/api/v1/cases/{case_id}", "get", api.get("/api/v1/cases/nope"), 404),
        ("/api/v1/cases", "post", api.client.post("/api/v1/cases", content=b"\xff{", headers=not_json), 400),
        ("/api/v1/cases", "post", api.post("/api/v1/cases", json={"number": 5}), 422),
        ("/api/v1/search", "get", api.get("/api/v1/search", params={"size": 0}), 422),
        ("/api/v1/cases/{case_id}/documents", "post", api.upload(case_id, "empty.txt", b""), 422),
        ("/api/v1/cases/{case_id}/documents", "post", api.upload(case_id, "a.bin", elf_executable()), 415),
    ]
    body = {"number": "1 of 2024", "title": "Ahmad v. Province", "court": "Lahore High Court"}
    answers.append(("/api/v1/cases", "post", api.post("/api/v1/cases", json=body), 409))
    for path, method, response, status in answers:
        assert response.status_code == status, (path, response.text)
        assert response.headers["content-type"].startswith(PROBLEM_JSON)
        validator = _validator(schema, path, method, status)
        errors = [error.message for error in validator.iter_errors(response.json())]
        assert errors == [], (path, status, response.json())
    # A body whose status disagrees with the answer's does not pass: the status is pinned per response.
    wrong = answers[1][2].json() | {"status": 400}
    assert not _validator(schema, "/api/v1/cases/{case_id}", "get", 404).is_valid(wrong)
