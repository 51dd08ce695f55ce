"""Declare every operation's error answers in the OpenAPI schema as RFC 9457 problem bodies.

FastAPI documents only the success and a JSON 422 it never sends here (api/errors.py renders every error as
application/problem+json). Which errors an operation can give follows from how its route is built, so they are
derived from each generated operation rather than listed per route:

- behind the bearer scheme (the security dependency): 401 (no or bad token), 403 (the role may not), and 503
  (with Retry-After), since the token is looked up in the database and the handlers reach the backends;
- a path parameter names a resource: 404;
- a request body: 400 (it cannot be parsed), 413 (over the size limit) and 422; a JSON body on POST/PUT/PATCH
  can also collide with an existing record: 409; a multipart body with a file (an upload): 415, and 413/422 for a
  rejected document;
- a full-text query parameter `q`: 400 for a query that cannot be parsed;
- a `Range` header: 416;
- any parameter or body: 422 (FastAPI's validation answer, re-declared with the shape actually sent).

Responses a route declares itself are kept, so a route can always say something more specific; an error
answer it declares with a description only (a 429 from sign-in, say) gets the problem body as its content.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

PROBLEM_JSON = "application/problem+json"
PROBLEM_SCHEMA = "ProblemDetails"
VALIDATION_PROBLEM_SCHEMA = "ValidationProblemDetails"
# FastAPI's own validation shapes, replaced by the problem body that api/errors.py actually sends.
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
SEARCH_QUERY_PARAMETER = "q"
RANGE_HEADER = "range"
WRITE_METHODS = frozenset({"post", "put", "patch"})
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})

Operation = dict[str, Any]

PROBLEM_DETAILS: dict[str, Any] = {
    "title": "Problem details (RFC 9457)",
    "description": "The body of every error answer. Extension members (e.g. `document_id`) may follow.",
    "type": "object",
    "properties": {
        "type": {
            "type": "string",
            "format": "uri-reference",
            "description": "A URI reference that identifies the problem type",
            "default": "about:blank",
        },
        "title": {"type": "string", "description": "A short, human-readable summary of the problem type"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "description": "The HTTP status code"},
        "detail": {"type": "string", "description": "An explanation specific to this occurrence"},
        "instance": {
            "type": "string",
            "format": "uri-reference",
            "description": "A URI reference to this occurrence (the request path)",
        },
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}

VALIDATION_PROBLEM_DETAILS: dict[str, Any] = {
    "title": "Validation problem details",
    "description": "A problem body whose `errors` say which parts of the request are not valid.",
    "allOf": [
        {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA}"},
        {
            "type": "object",
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                            "msg": {"type": "string"},
                            "type": {"type": "string"},
                        },
                        "required": ["loc", "msg", "type"],
                    },
                }
            },
        },
    ],
}


def install_problem_responses(app: FastAPI) -> None:
    """Make app.openapi() declare each operation's 4xx and 503 answers as application/problem+json."""
    generate = app.openapi
    app.openapi_schema = None  # a schema built before this call would lack them

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_problem_responses(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def add_problem_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem responses to a generated schema (in place) and return it."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components[PROBLEM_SCHEMA] = PROBLEM_DETAILS
    components[VALIDATION_PROBLEM_SCHEMA] = VALIDATION_PROBLEM_DETAILS
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in HTTP_METHODS:
                _declare(method, operation, components)
    _drop_unreferenced(schema, FASTAPI_VALIDATION_SCHEMAS)
    return schema


def _declare(method: str, operation: Operation, components: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    # FastAPI's 422 names a body the API never sends: always replaced, never kept.
    fastapi_422 = responses.pop("422", None)
    for status, reasons in _problems(method, operation, components, had_validation=fastapi_422 is not None).items():
        if str(status) not in responses:
            responses[str(status)] = _problem_response(status, "; ".join(reasons))
    for code, declared in responses.items():  # a route's own error answers, declared by description only
        if code[0] in "45" and "content" not in declared:
            responses[code] = _problem_response(int(code), declared.get("description", ""))
    operation["responses"] = dict(sorted(responses.items()))


def _problems(
    method: str, operation: Operation, components: dict[str, Any], *, had_validation: bool
) -> dict[int, list[str]]:
    """Each status the operation can answer with a problem body, and why."""
    parameters = operation.get("parameters", [])
    in_path = [parameter["name"] for parameter in parameters if parameter.get("in") == "path"]
    query = {parameter["name"] for parameter in parameters if parameter.get("in") == "query"}
    headers = {parameter["name"].lower() for parameter in parameters if parameter.get("in") == "header"}
    body = operation.get("requestBody", {}).get("content", {})
    upload = _is_upload(body, components)
    secured = bool(operation.get("security"))
    problems: dict[int, list[str]] = {}

    def add(status: int, reason: str, when: bool = True) -> None:
        if when:
            problems.setdefault(status, []).append(reason)

    add(400, "the body cannot be parsed (malformed JSON or multipart)", bool(body))
    add(400, "the full-text query cannot be parsed (the detail says where and why)", SEARCH_QUERY_PARAMETER in query)
    add(401, "no API token was sent, or it is not valid or has been revoked", secured)
    add(403, "the token's role may not do this", secured)
    add(404, f"nothing exists with this {', '.join(in_path)}", bool(in_path))
    add(409, "it conflicts with an existing record", method in WRITE_METHODS and "application/json" in body)
    add(413, "the document is over the upload size or page limit (kept, and recorded as failed)", upload)
    add(413, "the request body is too large", bool(body) and not upload)
    add(415, "the file type is not supported (the body lists the supported ones)", upload)
    add(416, "the byte range is outside the file", RANGE_HEADER in headers)
    add(422, "the request is not valid (`errors` says which parts)", had_validation or bool(body or parameters))
    add(422, "the document is unusable: encrypted, damaged, a decompression bomb or a bad file name", upload)
    # The token is looked up in the database, and the handlers reach the store, index and queue.
    add(503, "a backend (database, blob store, search index or queue) is unavailable; retry later", secured)
    return problems


def _problem_response(status: int, description: str) -> dict[str, Any]:
    name = VALIDATION_PROBLEM_SCHEMA if status == 422 else PROBLEM_SCHEMA
    # allOf with the status pinned: a problem body must carry the status it is answered with.
    schema = {"allOf": [{"$ref": f"#/components/schemas/{name}"}, {"properties": {"status": {"const": status}}}]}
    response: dict[str, Any] = {
        "description": f"{HTTPStatus(status).phrase}: {description}.",
        "content": {PROBLEM_JSON: {"schema": schema}},
    }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {"description": "The scheme to authenticate with", "schema": {"type": "string"}}
        }
    if status == 416:
        response["headers"] = {
            "Content-Range": {"description": "`bytes */<size>`: the size of the file", "schema": {"type": "string"}}
        }
    if status == 503:
        response["headers"] = {
            "Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "string"}}
        }
    return response


def _is_upload(content: dict[str, Any], components: dict[str, Any]) -> bool:
    """A multipart body with a file part: FastAPI declares UploadFile as a string with a media type (or binary)."""
    media = content.get("multipart/form-data")
    if media is None:
        return False
    schema = _resolve(media.get("schema", {}), components)
    return any(
        "contentMediaType" in _resolve(field, components) or _resolve(field, components).get("format") == "binary"
        for field in schema.get("properties", {}).values()
    )


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    reference = schema.get("$ref", "")
    if reference.startswith("#/components/schemas/"):
        resolved: dict[str, Any] = components.get(reference.rsplit("/", 1)[1], {})
        return resolved
    return schema


def _drop_unreferenced(schema: dict[str, Any], names: tuple[str, ...]) -> None:
    """Remove FastAPI's validation schemas once nothing points at them (a route may still use them itself)."""
    components = schema.get("components", {}).get("schemas", {})
    for name in names:
        if name in components:
            rest = {key: value for key, value in components.items() if key != name}
            if not _references(schema.get("paths", {}), name) and not _references(rest, name):
                del components[name]


def _references(node: Any, name: str) -> bool:
    target = f"#/components/schemas/{name}"
    found = False

    def visit(value: Any) -> None:
        nonlocal found
        if isinstance(value, dict):
            if value.get("$ref") == target:
                found = True
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit(node)
    return found
