"""The pages' authorisation matrix, generated from the app's route table (the API's is tests/access/test_matrix.py).

Every page route is a row and every person a column; the target is a case of the test unit with one indexed
document that carries a made-up word. Each cell asserts:
- no session: a redirect to the sign-in page (the sign-in page itself aside);
- a page that takes the case or its document, for someone who may not see it (another unit's officer and clerk,
  an unassigned officer, the auditor): 404, the same as a case that does not exist, and the body carries neither
  the case's word nor its number;
- a write (POST) without the session's CSRF token: refused (403, or 404 for a target the person may not see), and
  never a success;
- never a 5xx;
- the routes whose audience is narrower (admin, audit, edit) as listed in ROLE_PAGES.

A page route added later gets these cells without anyone listing it, so it cannot slip in unchecked.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from api.main import create_app
from core.config import Settings
from tests.conftest import TEST_PASSWORD
from tests.samples import born_digital_pdf
from tests.web.conftest import WebStack
from web.app import is_web_path

WORD = "zqwebmatrixzq"
CASE_NUMBER = f"W.P. No. {WORD} of 2026"
PEOPLE = ("anonymous", "web-admin", "web-clerk", "web-officer", "web-focal", "web-auditor", "other-officer",
          "other-clerk")  # fmt: skip
SEES_THE_CASE = frozenset({"web-admin", "web-clerk", "web-focal"})  # the test unit's case, no grants or assignments
# Pages with a narrower audience than "whoever sees the case": person -> the statuses allowed.
ROLE_PAGES: dict[tuple[str, str], dict[str, set[int]]] = {
    ("GET", "/admin"): {"web-admin": {200}} | {p: {403, 404} for p in PEOPLE[2:]},
    ("GET", "/audit"): {"web-admin": {200}, "web-auditor": {200}}
    | {p: {403, 404} for p in ("web-clerk", "web-officer", "web-focal", "other-officer", "other-clerk")},
    ("GET", "/cases/{case_id}/edit"): {"web-admin": {200}, "web-clerk": {200}, "web-focal": {403}},
    # "Who has seen this case" is the auditor's and the assigned officers' (and admins'), as in the API.
    ("GET", "/cases/{case_id}/access-log"): {
        "web-admin": {200},
        "web-auditor": {200},
        "web-clerk": {404},
        "web-focal": {404},
    },
    ("GET", "/cases/new"): {"web-admin": {200}, "web-clerk": {200}, "web-focal": {403}, "web-auditor": {403}},
}


def page_routes() -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as directory:
        app = create_app(Settings(environment="test", data_dir=directory))
    table = {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        if route.path is not None and is_web_path(route.path)
        for method in route.methods or ()
        if method != "HEAD"
    }
    return sorted(table, key=lambda item: (item[1], item[0]))


@dataclass(frozen=True)
class Target:
    case_id: str
    document_id: str


@pytest.fixture(scope="module")
def target(web_stack: WebStack) -> Target:
    case = web_stack.create_case(CASE_NUMBER, title=f"Matrix {WORD} v. State")
    document = web_stack.upload(case["id"], f"{WORD}.pdf", born_digital_pdf([f"The {WORD} order of the court."]))
    assert web_stack.wait_until_done(document["id"])["status"] == "indexed"
    return Target(case["id"], document["id"])


@pytest.fixture(scope="module")
def clients(web_stack: WebStack) -> Iterator[dict[str, httpx.Client]]:
    made = {}
    for person in PEOPLE:
        client = httpx.Client(base_url=web_stack.base_url, headers={"Accept": "text/html"}, timeout=60)
        if person != "anonymous":
            signed_in = client.post("/sign-in", data={"username": person, "password": TEST_PASSWORD})
            assert signed_in.status_code == 303, signed_in.text
        made[person] = client
    yield made
    for client in made.values():
        client.close()


def url_for(path: str, target: Target) -> str:
    values = {"case_id": target.case_id, "document_id": target.document_id, "number": "1",
              "citation:path": "PLD 2019 SC 1"}  # fmt: skip
    url = path
    while "{" in url:
        name = url[url.index("{") + 1 : url.index("}")]
        url = url.replace("{" + name + "}", values.get(name, str(uuid.uuid4())))
    return url


def takes_the_target(path: str) -> bool:
    return "{case_id}" in path or "{document_id}" in path


ROUTES = page_routes()


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_page_cell(
    method: str, path: str, person: str, target: Target, clients: dict[str, httpx.Client], web_stack: WebStack
) -> None:
    response = clients[person].request(method, url_for(path, target), follow_redirects=False)
    status = response.status_code
    assert status < 500, response.text
    if person == "anonymous":
        if path == "/sign-in":
            assert status in (200, 401) if method == "GET" else status in (401, 422), status
        else:
            assert status == 303 and response.headers["location"].startswith("/sign-in"), (status, response.text)
        return
    expected = ROLE_PAGES.get((method, path), {}).get(person)
    hidden = takes_the_target(path) and person not in SEES_THE_CASE and not expected
    if hidden:
        assert WORD not in response.text and "zqwebmatrix" not in response.text.lower()
    if method == "POST":
        if path == "/sign-in":
            return  # signing in again is not a write to anything
        allowed = {403, 404} if hidden else {403}
        assert status in allowed, f"{method} {path} without the CSRF token answered {status}"
        return
    if hidden:
        # The auditor's role reads no case content at all: refused before the case is looked at (403 for every
        # target alike tells nothing about the case), or 404 like everyone else outside the walls.
        allowed = {403, 404} if person == "web-auditor" else {404}
        assert status in allowed, f"{person} may not see the case, yet {path} answered {status}"
        return
    if expected is not None:
        assert status in expected, f"{person}: {path} answered {status}, expected {sorted(expected)}"
        return
    assert status in (200, 403), (status, response.text[:300])
