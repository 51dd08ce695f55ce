"""The authorisation matrix (issue 9), generated from the app's route table.

Every route of the app is a row; every persona (each role, no token, an expired, a revoked and a read-only token) a
column; routes that take a case or a document are tried against each target of tests/access/helpers.py (the caller's
own unit's case, another unit's, cases granted or assigned to the caller, sealed ones, a sealed document in a visible
case, an id that names nothing). Each cell asserts the status the access table gives, and that the body (and headers)
carry no word or id of a case or document the caller may not see. A route with no entry in ROUTES below gets one
failing cell, so a new route cannot slip in untested.

The expected statuses, in order:
- 401 for a missing, expired or revoked credential on every route that needs one;
- routes that take a case or document: 404 when the caller may not see it, whatever else (never 403: the status
  must not tell a forbidden case from one that does not exist); 403 when they see it but may not do this;
- except where the route refuses the role outright before looking at the case (a role that may never write, on the
  routes guarded by WritableCase): 403 for every target alike, which tells nothing about the case either;
- 403 for a role that may never use a route without a case (units, users, tokens, creating cases, searching as an
  auditor).

- the audit trail (GET /audit, a case's access log) is the auditor's: admins and auditors, and a case's assigned
  officers for its access log; 404 for everyone else on a case's log.

The fixtures are built once per module on the embedded stack; cells that create things use throwaway data (a new
document, a grant to a bystander, a token), so cells stay independent. The reading cells, search and the simple
writes (stack_core) run again on the production stack (test_core_cell_on_the_production_stack), and
test_a_forbidden_id_answers_exactly_like_a_missing_one compares whole answers for forbidden and missing ids.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from api.main import create_app
from core.config import Settings
from core.models import Case, CaseStatus, Notification, Role, SavedSearch
from core.uow import unit_of_work
from tests.access.helpers import (
    CASES,
    COURT,
    DOCUMENTS,
    LOGIN_USER,
    PERSONAS,
    Persona,
    World,
    build_world,
    citation,
    main_document,
    manages_case,
    may_write,
    sees_case,
    sees_document,
    word,
    writes_case,
)
from tests.conftest import BOOTSTRAP_TOKEN, TEST_PASSWORD, open_api, open_stack
from tests.samples import born_digital_pdf
from tests.stacks import embedded_settings
from web.app import is_web_path

PROBLEM_JSON = "application/problem+json"
NO_TARGET = "-"
CASE_TARGETS = tuple(CASES)
DOCUMENT_TARGETS = tuple(DOCUMENTS)
QUERY_TARGETS = CASE_TARGETS + DOCUMENT_TARGETS  # search for the word planted in each


# --- what each request looks like --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    url: str  # "" for the route's own path
    params: dict[str, Any] | None = None
    json: Any = None
    files: dict[str, tuple[str, bytes]] | None = None


Expect = Callable[[Persona, str], int]
MakeCall = Callable[[World, Persona, str, int], Call]
Check = Callable[[World, Persona, str, httpx.Response], None]


@dataclass(frozen=True)
class RouteSpec:
    targets: tuple[str, ...]
    expect: Expect
    call: MakeCall
    check: Check | None = None  # more assertions on a 2xx body
    needs_auth: bool = True
    stack_core: bool = False  # also run on the production stack
    trail: bool = False  # the audit trail: it names cases by design, so what an auditor reads is not checked


def _unique() -> str:
    return uuid.uuid4().hex[:12]


def _case_url(suffix: str = "") -> MakeCall:
    return lambda world, _persona, target, _status: Call(f"/api/v1/cases/{world.case_ids[target]}{suffix}")


def _document_url(suffix: str = "") -> MakeCall:
    return lambda world, _persona, target, _status: Call(f"/api/v1/documents/{world.document_ids[target]}{suffix}")


def _fixed(url: str, **parts: Any) -> MakeCall:
    def make(_world: World, _persona: Persona, _target: str, _status: int) -> Call:
        resolved = {key: value() if callable(value) else value for key, value in parts.items()}
        return Call(url, **resolved)

    return make


# --- expectations: the access table, route by route ------------------------------------------------------------


def everyone(status: int) -> Expect:
    return lambda _persona, _target: status


def admin_only(status: int) -> Expect:
    return lambda persona, _target: status if persona.role is Role.admin else 403


def readers(status: int) -> Expect:
    """Every role that reads case content; the auditor reads none."""
    return lambda persona, _target: 403 if persona.role is Role.auditor else status


def case_creators(persona: Persona, _target: str) -> int:
    return 201 if may_write(persona) and persona.role in (Role.admin, Role.clerk) else 403


def reads_case(persona: Persona, target: str) -> int:
    return 200 if sees_case(persona, CASES[target]) else 404


def writes_case_route(status: int) -> Expect:
    """WritableCase: a role that may never write is refused first (403 for every target alike)."""

    def expect(persona: Persona, target: str) -> int:
        case = CASES[target]
        if not may_write(persona):
            return 403
        if not sees_case(persona, case):
            return 404
        return status if writes_case(persona, case) else 403

    return expect


def manages_case_route(status: int) -> Expect:
    def expect(persona: Persona, target: str) -> int:
        case = CASES[target]
        if not sees_case(persona, case):
            return 404
        return status if manages_case(persona, case) else 403

    return expect


def reads_document(persona: Persona, target: str) -> int:
    return 200 if sees_document(persona, DOCUMENTS[target]) else 404


def writes_document_route(status: int) -> Expect:
    def expect(persona: Persona, target: str) -> int:
        document = DOCUMENTS[target]
        if not sees_document(persona, document):
            return 404
        return status if writes_case(persona, CASES[document.case]) else 403

    return expect


def auditors(status: int) -> Expect:
    return lambda persona, _target: status if persona.role in (Role.admin, Role.auditor) else 403


def reads_access_log(persona: Persona, target: str) -> int:
    """Admins and auditors (any case), and the case's assigned officers; 404 for everyone else."""
    case = CASES[target]
    if not case.exists:
        return 404
    if persona.role in (Role.admin, Role.auditor) or (persona.role is Role.officer and case.assigned):
        return 200
    return 404


def revokes_token(persona: Persona, target: str) -> int:
    if persona.role is not Role.admin:
        return 403
    return 204 if target == "token" else 404


# --- calls that change things use throwaway data -------------------------------------------------------------


def _upload_call(world: World, _persona: Persona, target: str, _status: int) -> Call:
    content = f"Matrix upload {_unique()}.\n".encode()
    return Call(f"/api/v1/cases/{world.case_ids[target]}/documents", files={"file": ("upload.txt", content)})


def _unassign_call(world: World, persona: Persona, target: str, _status: int) -> Call:
    case_id = world.case_ids[target]
    exists = CASES[target].exists
    assignment = (
        world.assign(case_id, world.bystander_officer_id) if exists and persona.signed_in else str(uuid.uuid4())
    )
    return Call(f"/api/v1/cases/{case_id}/assignments/{assignment}")


def _ungrant_call(world: World, persona: Persona, target: str, _status: int) -> Call:
    case_id = world.case_ids[target]
    body = {"user_id": world.bystander_user_id, "access": "read"}
    grant = world.add_grant(case_id, body) if CASES[target].exists and persona.signed_in else str(uuid.uuid4())
    return Call(f"/api/v1/cases/{case_id}/grants/{grant}")


def _document_write_call(suffix: str, body: Any = None) -> MakeCall:
    """A cell expected to succeed changes a throwaway document with the same walls, not the shared one."""

    def make(world: World, _persona: Persona, target: str, status: int) -> Call:
        document_id = world.document_ids[target]
        if status < 300:
            document_id = world.throwaway_document(target)
        return Call(f"/api/v1/documents/{document_id}{suffix}", json=body)

    return make


def _revoke_token_call(world: World, persona: Persona, target: str, _status: int) -> Call:
    token_id = world.throwaway_token() if target == "token" and persona.signed_in else str(uuid.uuid4())
    return Call(f"/api/v1/tokens/{token_id}")


def _list_cases_call(_world: World, _persona: Persona, target: str, _status: int) -> Call:
    params: dict[str, Any] = {"size": 100}
    if target != "list":
        params["q"] = word(target)
    return Call("/api/v1/cases", params=params)


def _search_call(_world: World, _persona: Persona, target: str, _status: int) -> Call:
    return Call("/api/v1/search", params={"q": word(target), "size": 100})


_VIEWER_DOCUMENTS: dict[tuple[int, str], str] = {}
VIEWER_WORD = "viewerpage"  # not a target's word: searches for those must find only the world's own documents


def _viewer_call(suffix: str, **params: Any) -> MakeCall:
    """Page images and boxes need a PDF: a cell expected to succeed uses one PDF per target with the same walls (made
    once per world); the others use the shared document, as every route does."""

    def make(world: World, _persona: Persona, target: str, status: int) -> Call:
        document_id = world.document_ids[target]
        if status < 300:
            key = (id(world), target)
            if key not in _VIEWER_DOCUMENTS:
                spec = DOCUMENTS[target]
                content = born_digital_pdf([f"Exhibit {VIEWER_WORD} {uuid.uuid4().hex} is attached."])
                response = world.api.client.post(
                    f"/api/v1/cases/{world.case_ids[spec.case]}/documents", headers=world.admin(),
                    files={"file": ("viewer.pdf", content)},
                )  # fmt: skip
                assert response.status_code == 202, response.text
                _VIEWER_DOCUMENTS[key] = response.json()["id"]
                assert world.api.wait_until_done(_VIEWER_DOCUMENTS[key], timeout=120)["status"] == "indexed"
                if spec.sealed:
                    world.seal_document(_VIEWER_DOCUMENTS[key])
            document_id = _VIEWER_DOCUMENTS[key]
        resolved = {name: value(target) if callable(value) else value for name, value in params.items()}
        return Call(f"/api/v1/documents/{document_id}{suffix}", params=resolved or None)

    return make


# --- checks on the bodies of allowed calls -----------------------------------------------------------------------


def _visible_documents(world: World, persona: Persona) -> set[str]:
    return {world.document_ids[key] for key, spec in DOCUMENTS.items() if sees_document(persona, spec)}


def _check_case_list(world: World, persona: Persona, target: str, response: httpx.Response) -> None:
    body = response.json()
    found = {item["id"] for item in body["items"]}
    if target == "list":
        visible = {world.case_ids[key] for key, spec in CASES.items() if sees_case(persona, spec)}
        assert visible <= found, f"visible cases missing from the list: {visible - found}"
        return
    if target in CASES:
        expected = {world.case_ids[target]} if sees_case(persona, CASES[target]) else set()
    else:
        document = DOCUMENTS[target]
        expected = {world.case_ids[document.case]} if sees_document(persona, document) else set()
    assert found == expected, f"cases matching {word(target)}: {found}, expected {expected}"
    assert body["total"] == len(expected)


def _check_search(world: World, persona: Persona, target: str, response: httpx.Response) -> None:
    body = response.json()
    document_key = main_document(target) if target in CASES else target
    visible = sees_document(persona, DOCUMENTS[document_key])
    hits = {hit["document_id"] for hit in body["hits"]}
    assert hits <= _visible_documents(world, persona), f"hits outside the walls: {hits}"
    if visible:
        assert body["total"] > 0 and world.document_ids[document_key] in hits, body
    else:
        assert body["total"] == 0 and body["hits"] == [], body
        assert all(not counts for counts in body["facets"].values()), body["facets"]


def _check_case(world: World, _persona: Persona, target: str, response: httpx.Response) -> None:
    assert response.json()["id"] == world.case_ids[target]


def _check_case_documents(world: World, persona: Persona, target: str, response: httpx.Response) -> None:
    listed = {item["id"] for item in response.json()["items"]}
    mine = [key for key, spec in DOCUMENTS.items() if spec.case == target and sees_document(persona, spec)]
    expected = {world.document_ids[key] for key in mine}
    assert expected <= listed, f"visible documents missing: {expected - listed}"


def _check_document(world: World, _persona: Persona, target: str, response: httpx.Response) -> None:
    assert response.json()["id"] == world.document_ids[target]


def _check_contains_word(_world: World, _persona: Persona, target: str, response: httpx.Response) -> None:
    assert word(target) in response.text


def _check_page_image(_world: World, _persona: Persona, _target: str, response: httpx.Response) -> None:
    assert response.headers["content-type"] == "image/png" and response.content.startswith(b"\x89PNG")


def _check_page_boxes(_world: World, _persona: Persona, _target: str, response: httpx.Response) -> None:
    assert [box["text"] for box in response.json()["boxes"]] == [VIEWER_WORD]


# --- saved searches and notifications: each user's own (issue 11) ------------------------------------------------

OWN_TARGETS = ("own", "others", "missing")
_NOTICE_DOCUMENTS: dict[int, tuple[str, str]] = {}


def keeps_own(status: int, write: bool = False, notices: bool = False) -> Expect:
    """A user's own saved searches (not the auditor's: they search nothing) or notifications (anyone's); a token with
    no user (the bootstrap admin) keeps none, and a read-only token changes none."""

    def expect(persona: Persona, _target: str) -> int:
        if persona.role is Role.admin or (persona.role is Role.auditor and not notices):
            return 403
        return 403 if write and persona.read_only else status

    return expect


def owns(status: int, notices: bool = False) -> Expect:
    def expect(persona: Persona, target: str) -> int:
        if keeps_own(status, write=True, notices=notices)(persona, target) == 403:
            return 403
        return status if target == "own" else 404

    return expect


def _notice_document(world: World) -> tuple[str, str]:
    """A case and document of their own (not the world's, whose ids are the leak markers) for notices to point at."""
    if id(world) not in _NOTICE_DOCUMENTS:
        case = world.api.client.post("/api/v1/cases", headers=world.admin(), json={
            "number": f"N {_unique()}", "title": "Notices v. State", "court": COURT})  # fmt: skip
        assert case.status_code == 201, case.text
        document = world.upload(case.json()["id"], "notice")
        _NOTICE_DOCUMENTS[id(world)] = (case.json()["id"], document["id"])
    return _NOTICE_DOCUMENTS[id(world)]


def _own_item_call(kind: str, suffix: str) -> MakeCall:
    """A saved search or notification of the caller's own user ("own"), of a bystander ("others"), or none."""

    def make(world: World, persona: Persona, target: str, _status: int) -> Call:
        owner = world.bystander_user_id if target == "others" else None
        if target == "own" and persona.role is not None and persona.role is not Role.admin:
            owner = world.api.user_ids[persona.role]  # the read-only, expired and revoked tokens are the clerk's
        item_id = str(uuid.uuid4())
        if owner is not None:
            with unit_of_work(world.api.settings) as session:
                if kind == "saved-searches":
                    item: SavedSearch | Notification = SavedSearch(user_id=owner, name="matrix", q="matrix")
                else:
                    case_id, document_id = _notice_document(world)
                    item = Notification(user_id=owner, kind="new_filing", source=_unique(), title="matrix",
                                        case_id=case_id, document_id=document_id)  # fmt: skip
                session.add(item)
                session.flush()
                item_id = item.id
        return Call(f"/api/v1/{kind}/{item_id}{suffix}")

    return make


def _check_document_id(world: World, _persona: Persona, target: str, response: httpx.Response) -> None:
    assert response.json()["document_id"] == world.document_ids[target]


# --- the precedent graph (issue 11, decision 0019): each world document cites a law report of its own -------------


def _cited_document(target: str) -> str:
    return main_document(target) if target in CASES else target


def _cited_by_call(_world: World, _persona: Persona, target: str, _status: int) -> Call:
    typed = citation(_cited_document(target)).replace("PLD", "P.L.D.").replace(" SC ", " Supreme Court ")
    return Call(f"/api/v1/citations/{typed}/cited-by", params={"size": 100})


def _check_cited_by(world: World, persona: Persona, target: str, response: httpx.Response) -> None:
    """Only the citing document the caller may see is listed and counted; one they may not see leaves no trace."""
    body = response.json()
    document_key = _cited_document(target)
    listed = {item["document_id"] for item in body["documents"]}
    assert body["citation"] == citation(document_key)
    assert listed <= _visible_documents(world, persona), f"citing documents outside the walls: {listed}"
    if CASES[DOCUMENTS[document_key].case].exists and sees_document(persona, DOCUMENTS[document_key]):
        assert listed == {world.document_ids[document_key]} and body["total_documents"] == 1, body
        assert [count["documents"] for count in body["by_court"]] == [1], body
    else:
        assert listed == set() and (body["total_documents"], body["total_pages"]) == (0, 0), body
        assert body["by_court"] == [] and body["by_year"] == [], body


def _check_cites(world: World, _persona: Persona, target: str, response: httpx.Response) -> None:
    body = response.json()
    assert body["document_id"] == world.document_ids[target]
    assert [item["normalized"] for item in body["citations"]] == [citation(target)]


# --- reports (issue 12): aggregates inside the walls --------------------------------------------------------------


def _check_pending_report(world: World, persona: Persona, _target: str, response: httpx.Response) -> None:
    """The report counts no case the caller cannot list: its total is at most the caller's own case list's total
    (other cells move world cases through the lifecycle, so how many are still pending depends on their order)."""
    listed = world.api.client.get("/api/v1/cases", headers=world.headers[persona.name], params={"size": 1})
    assert listed.status_code == 200, listed.text
    assert response.json()["total"] <= listed.json()["total"], (response.text, listed.text)


def _report(check: Check | None = None, stack_core: bool = False, **params: Any) -> RouteSpec:
    return RouteSpec((NO_TARGET,), readers(200), _fixed("", params=params or None), check, stack_core=stack_core)


# --- hearings, the cause list, deadlines, limitation, reminders, the calendar (issue 12, decision 0022) -----------

LISTED_ON = "2030-01-02"  # the day each world case is heard, for the cause-list cells
_LISTED_WORLDS: set[int] = set()


def _list_world_cases(world: World) -> None:
    """Each existing world case heard on LISTED_ON, with a deadline, once per world."""
    if id(world) in _LISTED_WORLDS:
        return
    for key, spec in CASES.items():
        if not spec.exists:
            continue
        case_url = f"/api/v1/cases/{world.case_ids[key]}"
        hearing = {"date": LISTED_ON, "court": COURT, "purpose": "arguments"}
        response = world.api.client.post(f"{case_url}/hearings", headers=world.admin(), json=hearing)
        assert response.status_code == 201, response.text
        deadline = {"kind": "reply", "due_on": "2020-01-01", "owner_id": world.bystander_officer_id}
        response = world.api.client.post(f"{case_url}/deadlines", headers=world.admin(), json=deadline)
        assert response.status_code == 201, response.text
    _LISTED_WORLDS.add(id(world))


def _cause_list_call(world: World, _persona: Persona, _target: str, _status: int) -> Call:
    _list_world_cases(world)
    return Call("/api/v1/cause-list", params={"date": LISTED_ON})


def _overdue_call(world: World, _persona: Persona, _target: str, _status: int) -> Call:
    _list_world_cases(world)
    return Call("/api/v1/deadlines", params={"overdue": "true"})


def _visible_case_ids(world: World, persona: Persona) -> set[str]:
    return {world.case_ids[key] for key, spec in CASES.items() if sees_case(persona, spec)}


def _check_cause_list(world: World, persona: Persona, _target: str, response: httpx.Response) -> None:
    listed = {entry["case_id"] for group in response.json()["groups"] for entry in group["entries"]}
    world_cases = set(world.case_ids.values())
    assert listed & world_cases == _visible_case_ids(world, persona), listed


def _check_deadlines(world: World, persona: Persona, _target: str, response: httpx.Response) -> None:
    listed = {item["case_id"] for item in response.json()["items"]}
    assert listed & set(world.case_ids.values()) == _visible_case_ids(world, persona), listed


def _throwaway_in_case(kind: str) -> MakeCall:
    """A hearing or deadline made by the admin in the target case (a random id when the case does not exist)."""

    def make(world: World, _persona: Persona, target: str, _status: int) -> Call:
        item_id = str(uuid.uuid4())
        if CASES[target].exists:
            case_url = f"/api/v1/cases/{world.case_ids[target]}"
            if kind == "hearings":
                body: dict[str, Any] = {"date": "2030-02-01", "court": COURT, "purpose": "arguments"}
            else:
                body = {"kind": "reply", "due_on": "2030-02-01", "owner_id": world.bystander_officer_id}
            response = world.api.client.post(f"{case_url}/{kind}", headers=world.admin(), json=body)
            assert response.status_code == 201, response.text
            item_id = response.json()["id"]
        update = {"outcome": "heard"} if kind == "hearings" else {"status": "done"}
        return Call(f"/api/v1/{kind}/{item_id}", json=update)

    return make


def rotates_calendar(persona: Persona, _target: str) -> int:
    """A person's own feed: the bootstrap admin token has no person; a role or token that may not write is refused."""
    return 200 if may_write(persona) and persona.role is not Role.admin else 403


def _rules_body() -> dict[str, Any]:
    from litigation.rules_data import default_rules

    return {"items": default_rules()}


# --- the case lifecycle (issue 12, decision 0021) ---------------------------------------------------------------

_SECOND_OFFICERS: dict[int, str] = {}


def _second_officer(world: World) -> str:
    """A second bystander officer: reassignments hand the bystander's assignment to them."""
    if id(world) not in _SECOND_OFFICERS:
        response = world.api.client.post("/api/v1/users", headers=world.admin(), json={
            "username": f"second-{_unique()}", "role": "officer", "unit_id": world.unit_ids["bystander"]})  # fmt: skip
        assert response.status_code == 201, response.text
        _SECOND_OFFICERS[id(world)] = response.json()["id"]
    return _SECOND_OFFICERS[id(world)]


def _reassign_call(world: World, persona: Persona, target: str, status: int) -> Call:
    case_id = world.case_ids[target]
    if status < 300:
        world.assign(case_id, world.bystander_officer_id)
    body = {"from_user_id": world.bystander_officer_id, "to_user_id": _second_officer(world), "reason": "matrix"}
    return Call(f"/api/v1/cases/{case_id}/reassign", json=body)


def _decision_call(world: World, _persona: Persona, target: str, status: int) -> Call:
    """A cell expected to decide the case finds it reserved first (the status is not one the other cells read)."""
    case_id = world.case_ids[target]
    if status < 300:
        with unit_of_work(world.api.settings) as session:
            case = session.get(Case, case_id)
            assert case is not None
            case.status = CaseStatus.reserved
    return Call(f"/api/v1/cases/{case_id}/decision", json={"decided_on": "2025-01-31", "outcome": "partly"})


def comments_on_case(persona: Persona, target: str) -> int:
    """Whoever writes the case, and focal persons who see it ("writes: comments only")."""
    case = CASES[target]
    if not sees_case(persona, case):
        return 404
    if persona.read_only:
        return 403
    return 201 if persona.role is Role.focal_person or writes_case(persona, case) else 403


def acknowledges(persona: Persona, target: str) -> int:
    """Only the assigned officer acknowledges; others who see the case get 403, the rest 404."""
    case = CASES[target]
    if not may_write(persona):
        return 403
    if not sees_case(persona, case):
        return 404
    return 200 if persona.role is Role.officer and case.assigned else 403


def _acknowledge_call(world: World, persona: Persona, target: str, _status: int) -> Call:
    """The test officer's own assignment where they are assigned; elsewhere a bystander's; a missing case, none."""
    spec = CASES[target]
    assignment = str(uuid.uuid4())
    if spec.exists and persona.signed_in:
        case_id = world.case_ids[target]
        listed = world.api.client.get(f"/api/v1/cases/{case_id}/assignments", headers=world.admin()).json()
        officer = world.api.user_ids[Role.officer] if spec.assigned else world.bystander_officer_id
        found = [each["id"] for each in listed["current"] if each["user_id"] == officer]
        assignment = found[0] if found else world.assign(case_id, officer)
    return Call(f"/api/v1/assignments/{assignment}/acknowledge")


def _check_timeline(world: World, _persona: Persona, target: str, response: httpx.Response) -> None:
    body = response.json()
    assert body["case_id"] == world.case_ids[target] and any(item["kind"] == "filing" for item in body["items"])


# --- the table -------------------------------------------------------------------------------------------------

PUBLIC = RouteSpec((NO_TARGET,), everyone(200), _fixed(""), needs_auth=False)

ROUTES: dict[tuple[str, str], RouteSpec] = {
    # Outside /api/v1: no credentials needed, and nothing of any case in them.
    ("GET", "/health"): PUBLIC,
    ("GET", "/ready"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    # People.
    ("POST", "/api/v1/units"): RouteSpec(
        (NO_TARGET,), admin_only(201), _fixed("", json=lambda: {"name": f"Unit {_unique()}", "kind": "other"})
    ),
    ("GET", "/api/v1/units"): RouteSpec((NO_TARGET,), everyone(200), _fixed("")),
    ("POST", "/api/v1/users"): RouteSpec(
        (NO_TARGET,),
        admin_only(201),
        lambda world, _p, _t, _s: Call(
            "", json={"username": f"u-{_unique()}", "role": "client", "unit_id": world.unit_ids["bystander"]}
        ),
    ),
    ("GET", "/api/v1/users"): RouteSpec((NO_TARGET,), admin_only(200), _fixed("")),
    ("GET", "/api/v1/users/me"): RouteSpec((NO_TARGET,), everyone(200), _fixed("")),
    ("PATCH", "/api/v1/users/{user_id}"): RouteSpec(
        (NO_TARGET,),
        admin_only(200),
        lambda world, _p, _t, _s: Call(f"/api/v1/users/{world.bystander_user_id}", json={"full_name": _unique()}),
    ),
    ("POST", "/api/v1/tokens"): RouteSpec(
        (NO_TARGET,),
        admin_only(201),
        lambda world, _p, _t, _s: Call("", json={"name": "matrix", "user_id": world.bystander_user_id}),
    ),
    ("GET", "/api/v1/tokens"): RouteSpec((NO_TARGET,), admin_only(200), _fixed("")),
    ("DELETE", "/api/v1/tokens/{token_id}"): RouteSpec(("token", "missing"), revokes_token, _revoke_token_call),
    ("POST", "/api/v1/auth/login"): RouteSpec(
        (NO_TARGET,),
        everyone(200),
        _fixed("", json={"username": LOGIN_USER, "password": TEST_PASSWORD}),
        needs_auth=False,
    ),
    ("POST", "/api/v1/auth/logout"): RouteSpec((NO_TARGET,), everyone(204), _fixed("")),
    # Cases.
    ("POST", "/api/v1/cases"): RouteSpec(
        (NO_TARGET,),
        case_creators,
        _fixed("", json=lambda: {"number": f"T {_unique()}", "title": "Throwaway v. State", "court": COURT}),
    ),
    ("GET", "/api/v1/cases"): RouteSpec(
        ("list", *QUERY_TARGETS), readers(200), _list_cases_call, _check_case_list, stack_core=True
    ),
    ("GET", "/api/v1/cases/{case_id}"): RouteSpec(CASE_TARGETS, reads_case, _case_url(), _check_case, stack_core=True),
    ("PATCH", "/api/v1/cases/{case_id}"): RouteSpec(
        CASE_TARGETS,
        writes_case_route(200),
        lambda world, _p, target, _s: Call(f"/api/v1/cases/{world.case_ids[target]}", json={"tags": ["matrix"]}),
        stack_core=True,
    ),
    ("POST", "/api/v1/cases/{case_id}/documents"): RouteSpec(
        CASE_TARGETS, writes_case_route(202), _upload_call, stack_core=True
    ),
    ("GET", "/api/v1/cases/{case_id}/documents"): RouteSpec(
        CASE_TARGETS, reads_case, _case_url("/documents"), _check_case_documents, stack_core=True
    ),
    ("POST", "/api/v1/cases/{case_id}/assignments"): RouteSpec(
        CASE_TARGETS,
        manages_case_route(201),
        lambda world, _p, target, _s: Call(
            f"/api/v1/cases/{world.case_ids[target]}/assignments", json={"user_id": world.bystander_officer_id}
        ),
    ),
    ("DELETE", "/api/v1/cases/{case_id}/assignments/{assignment_id}"): RouteSpec(
        CASE_TARGETS, manages_case_route(204), _unassign_call
    ),
    ("POST", "/api/v1/cases/{case_id}/grants"): RouteSpec(
        CASE_TARGETS,
        manages_case_route(201),
        lambda world, _p, target, _s: Call(
            f"/api/v1/cases/{world.case_ids[target]}/grants",
            json={"user_id": world.bystander_user_id, "access": "read"},
        ),
    ),
    ("DELETE", "/api/v1/cases/{case_id}/grants/{grant_id}"): RouteSpec(
        CASE_TARGETS, manages_case_route(204), _ungrant_call
    ),
    # Documents.
    ("GET", "/api/v1/documents/{document_id}"): RouteSpec(
        DOCUMENT_TARGETS, reads_document, _document_url(), _check_document, stack_core=True
    ),
    ("PATCH", "/api/v1/documents/{document_id}"): RouteSpec(
        DOCUMENT_TARGETS, writes_document_route(200), _document_write_call("", {"doc_type": "order"})
    ),
    ("GET", "/api/v1/documents/{document_id}/file"): RouteSpec(
        DOCUMENT_TARGETS, reads_document, _document_url("/file"), _check_contains_word, stack_core=True
    ),
    ("GET", "/api/v1/documents/{document_id}/pages"): RouteSpec(
        DOCUMENT_TARGETS, reads_document, _document_url("/pages"), _check_contains_word, stack_core=True
    ),
    ("GET", "/api/v1/documents/{document_id}/pages/{number}/image"): RouteSpec(
        DOCUMENT_TARGETS,
        reads_document,
        _viewer_call("/pages/1/image", width=200),
        _check_page_image,
        stack_core=True,
    ),
    ("GET", "/api/v1/documents/{document_id}/pages/{number}/boxes"): RouteSpec(
        DOCUMENT_TARGETS,
        reads_document,
        _viewer_call("/pages/1/boxes", q=VIEWER_WORD),
        _check_page_boxes,
        stack_core=True,
    ),
    ("POST", "/api/v1/documents/{document_id}/reprocess"): RouteSpec(
        DOCUMENT_TARGETS, writes_document_route(202), _document_write_call("/reprocess")
    ),
    # The audit trail.
    ("GET", "/api/v1/audit"): RouteSpec((NO_TARGET,), auditors(200), _fixed("", params={"size": 5}), trail=True),
    ("GET", "/api/v1/cases/{case_id}/access-log"): RouteSpec(
        CASE_TARGETS, reads_access_log, _case_url("/access-log"), trail=True
    ),
    # Search.
    ("GET", "/api/v1/search"): RouteSpec(QUERY_TARGETS, readers(200), _search_call, _check_search, stack_core=True),
    # Saved searches and notifications (issue 11): each user's own; another user's id is a 404 like a missing one.
    ("POST", "/api/v1/saved-searches"): RouteSpec(
        (NO_TARGET,), keeps_own(201, write=True), _fixed("", json=lambda: {"name": "matrix", "q": _unique()})
    ),
    ("GET", "/api/v1/saved-searches"): RouteSpec((NO_TARGET,), keeps_own(200), _fixed(""), stack_core=True),
    ("DELETE", "/api/v1/saved-searches/{saved_search_id}"): RouteSpec(
        OWN_TARGETS, owns(204), _own_item_call("saved-searches", "")
    ),
    ("GET", "/api/v1/notifications"): RouteSpec(
        (NO_TARGET,), keeps_own(200, notices=True), _fixed(""), stack_core=True
    ),
    ("POST", "/api/v1/notifications/{notification_id}/read"): RouteSpec(
        OWN_TARGETS, owns(200, notices=True), _own_item_call("notifications", "/read")
    ),
    ("POST", "/api/v1/notifications/read-all"): RouteSpec(
        (NO_TARGET,), keeps_own(200, write=True, notices=True), _fixed("")
    ),
    # The precedent graph (decision 0019): cited-by inside the walls; a document's citations with the document's walls.
    ("POST", "/api/v1/citations/extract"): RouteSpec(
        (NO_TARGET,), readers(200), _fixed("", json={"text": "Relied on P.L.D. 2019 Supreme Court 1."})
    ),
    ("GET", "/api/v1/citations/{citation:path}/cited-by"): RouteSpec(
        QUERY_TARGETS, readers(200), _cited_by_call, _check_cited_by, stack_core=True
    ),
    ("GET", "/api/v1/documents/{document_id}/cites"): RouteSpec(
        DOCUMENT_TARGETS, reads_document, _document_url("/cites"), _check_cites, stack_core=True
    ),
    ("GET", "/api/v1/documents/{document_id}/similar"): RouteSpec(
        DOCUMENT_TARGETS, reads_document, _document_url("/similar"), _check_document_id, stack_core=True
    ),
    # Reports (issue 12): every role that reads case content, counting inside its walls; auditors none.
    ("GET", "/api/v1/reports"): _report(),
    ("GET", "/api/v1/reports/pending"): _report(_check_pending_report, stack_core=True, by="officer"),
    ("GET", "/api/v1/reports/ageing"): _report(format="csv"),
    ("GET", "/api/v1/reports/overdue"): _report(by="unit"),
    ("GET", "/api/v1/reports/hearings"): _report(format="xlsx"),
    ("GET", "/api/v1/reports/outcomes"): _report(by="court"),
    ("GET", "/api/v1/reports/median-days"): _report(by="year"),
    # The public case status (decision 0023): no credentials; off by default, so every world case is a 404 alike.
    # Making a case's or unit's status public is the admins' (cells switch it off: no cell changes what others see).
    ("GET", "/public/case-status"): RouteSpec(
        (NO_TARGET,),
        everyone(404),
        _fixed("", params={"court": COURT, "number": f"MX {word('own')}"}),
        needs_auth=False,
    ),
    ("PUT", "/api/v1/cases/{case_id}/public-status"): RouteSpec(
        CASE_TARGETS,
        lambda persona, target: (200 if CASES[target].exists else 404) if persona.role is Role.admin else 403,
        lambda world, _p, target, _s: Call(
            f"/api/v1/cases/{world.case_ids[target]}/public-status", json={"public_status": False}
        ),
    ),
    ("PUT", "/api/v1/units/{unit_id}/public-status"): RouteSpec(
        (NO_TARGET,),
        admin_only(200),
        lambda world, _p, _t, _s: Call(
            f"/api/v1/units/{world.unit_ids['bystander']}/public-status", json={"public_status": False}
        ),
    ),
    # Hearings, the cause list, deadlines, limitation and reminders (issue 12, decision 0022).
    ("POST", "/api/v1/cases/{case_id}/hearings"): RouteSpec(
        CASE_TARGETS,
        writes_case_route(201),
        lambda world, _p, target, _s: Call(
            f"/api/v1/cases/{world.case_ids[target]}/hearings",
            json={"date": "2030-03-01", "court": COURT, "purpose": "arguments"},
        ),
        stack_core=True,
    ),
    ("GET", "/api/v1/cases/{case_id}/hearings"): RouteSpec(
        CASE_TARGETS, reads_case, _case_url("/hearings"), stack_core=True
    ),
    ("PATCH", "/api/v1/hearings/{hearing_id}"): RouteSpec(
        CASE_TARGETS, writes_case_route(200), _throwaway_in_case("hearings")
    ),
    ("GET", "/api/v1/cause-list"): RouteSpec(
        (NO_TARGET,), readers(200), _cause_list_call, _check_cause_list, stack_core=True
    ),
    ("POST", "/api/v1/cases/{case_id}/deadlines"): RouteSpec(
        CASE_TARGETS,
        writes_case_route(201),
        lambda world, _p, target, _s: Call(
            f"/api/v1/cases/{world.case_ids[target]}/deadlines",
            json={"kind": "reply", "due_on": "2030-03-01", "owner_id": world.bystander_officer_id},
        ),
    ),
    ("GET", "/api/v1/cases/{case_id}/deadlines"): RouteSpec(CASE_TARGETS, reads_case, _case_url("/deadlines")),
    ("PATCH", "/api/v1/deadlines/{deadline_id}"): RouteSpec(
        CASE_TARGETS, writes_case_route(200), _throwaway_in_case("deadlines")
    ),
    ("GET", "/api/v1/deadlines"): RouteSpec(
        (NO_TARGET,), readers(200), _overdue_call, _check_deadlines, stack_core=True
    ),
    ("GET", "/api/v1/cases/{case_id}/limitation-suggestions"): RouteSpec(
        CASE_TARGETS,
        reads_case,
        lambda world, _p, target, _s: Call(
            f"/api/v1/cases/{world.case_ids[target]}/limitation-suggestions", params={"decided_on": "2025-01-10"}
        ),
    ),
    ("GET", "/api/v1/limitation-rules"): RouteSpec((NO_TARGET,), readers(200), _fixed("")),
    ("PUT", "/api/v1/limitation-rules"): RouteSpec((NO_TARGET,), admin_only(200), _fixed("", json=_rules_body)),
    ("GET", "/api/v1/reminders"): RouteSpec((NO_TARGET,), everyone(200), _fixed("")),
    ("PUT", "/api/v1/units/{unit_id}/head"): RouteSpec(
        (NO_TARGET,),
        admin_only(204),
        lambda world, _p, _t, _s: Call(f"/api/v1/units/{world.unit_ids['bystander']}/head", json={"user_id": None}),
    ),
    # The calendar feed: the secret URL is the credential; an unknown one is a 404 problem body for anyone.
    ("POST", "/api/v1/users/me/calendar/rotate"): RouteSpec((NO_TARGET,), rotates_calendar, _fixed("")),
    ("GET", "/calendar/{secret}.ics"): RouteSpec(
        (NO_TARGET,), everyone(404), _fixed("/calendar/not-a-secret.ics"), needs_auth=False
    ),
    # The case lifecycle (issue 12, decision 0021): assignment, statuses, decisions, timeline, comments.
    ("GET", "/api/v1/cases/{case_id}/assignments"): RouteSpec(
        CASE_TARGETS, reads_case, _case_url("/assignments"), stack_core=True
    ),
    ("POST", "/api/v1/cases/{case_id}/reassign"): RouteSpec(CASE_TARGETS, manages_case_route(201), _reassign_call),
    ("GET", "/api/v1/cases/{case_id}/assignment-suggestions"): RouteSpec(
        CASE_TARGETS, manages_case_route(200), _case_url("/assignment-suggestions")
    ),
    ("POST", "/api/v1/assignments/{assignment_id}/acknowledge"): RouteSpec(
        CASE_TARGETS, acknowledges, _acknowledge_call
    ),
    ("GET", "/api/v1/assignments"): RouteSpec((NO_TARGET,), readers(200), _fixed(""), stack_core=True),
    ("PUT", "/api/v1/users/{user_id}/specialisations"): RouteSpec(
        (NO_TARGET,),
        admin_only(200),
        lambda world, _p, _t, _s: Call(
            f"/api/v1/users/{world.bystander_officer_id}/specialisations", json={"specialisations": ["service"]}
        ),
    ),
    ("GET", "/api/v1/cases/{case_id}/status-history"): RouteSpec(
        CASE_TARGETS, reads_case, _case_url("/status-history"), stack_core=True
    ),
    ("POST", "/api/v1/cases/{case_id}/decision"): RouteSpec(CASE_TARGETS, writes_case_route(201), _decision_call),
    ("GET", "/api/v1/cases/{case_id}/timeline"): RouteSpec(
        CASE_TARGETS, reads_case, _case_url("/timeline"), _check_timeline, stack_core=True
    ),
    ("POST", "/api/v1/cases/{case_id}/comments"): RouteSpec(
        CASE_TARGETS,
        comments_on_case,
        lambda world, _p, target, _s: Call(
            f"/api/v1/cases/{world.case_ids[target]}/comments", json={"body": "Matrix comment @nobody"}
        ),
    ),
    ("GET", "/api/v1/cases/{case_id}/comments"): RouteSpec(CASE_TARGETS, reads_case, _case_url("/comments")),
    ("POST", "/api/v1/cases/{case_id}/comment-requests"): RouteSpec(
        CASE_TARGETS,
        writes_case_route(201),
        lambda world, _p, target, _s: Call(
            f"/api/v1/cases/{world.case_ids[target]}/comment-requests",
            json={"due_on": "2025-01-31", "question": "Matrix question?"},
        ),
    ),
    ("GET", "/api/v1/cases/{case_id}/comment-requests"): RouteSpec(
        CASE_TARGETS, reads_case, _case_url("/comment-requests")
    ),
    ("GET", "/api/v1/comment-requests"): RouteSpec((NO_TARGET,), readers(200), _fixed("", params={"overdue": "true"})),
}


def expected_status(spec: RouteSpec, persona: Persona, target: str) -> int:
    if spec.needs_auth and not persona.signed_in:
        return 401
    return spec.expect(persona, target)


# --- the cells, from the route table ---------------------------------------------------------------------------


def route_table() -> list[tuple[str, str]]:
    """Every (method, path) the API answers, HEAD aside (Starlette adds it to GET routes)."""
    with tempfile.TemporaryDirectory() as directory:  # create_app reads settings only; nothing is written
        app = create_app(Settings(environment="test", data_dir=directory))
    table = set()
    for route in iter_route_contexts(app.routes):
        if route.path is not None and is_web_path(route.path):
            continue  # the web UI's pages have a matrix of their own: tests/web/test_web_matrix.py
        for method in route.methods or ():
            if method != "HEAD" and route.path is not None:
                table.add((method, route.path))
    return sorted(table, key=lambda item: (item[1], item[0]))


ROUTE_TABLE = route_table()

# Cells that fail because of a defect in the product (see the reasons); strict, so a fix shows up as XPASS.
KNOWN_DEFECTS: list[tuple[Callable[[str, str, str, str, str], bool], str]] = []


@dataclass(frozen=True)
class Cell:
    method: str
    path: str
    persona: str
    target: str

    @property
    def id(self) -> str:
        return f"{self.method} {self.path} | {self.persona} | {self.target}"


def _cells(routes: list[tuple[str, str]], core_only: bool = False, stack: str = "embedded") -> Iterator[Any]:
    for method, path in routes:
        spec = ROUTES.get((method, path))
        if spec is None:  # a route nobody has thought about: one failing cell
            yield pytest.param(Cell(method, path, "-", "-"), id=f"{method} {path} | NO EXPECTATION")
            continue
        if core_only and not spec.stack_core:
            continue
        for persona in PERSONAS:
            for target in spec.targets:
                cell = Cell(method, path, persona, target)
                marks = [
                    pytest.mark.xfail(strict=True, reason=reason)
                    for matches, reason in KNOWN_DEFECTS
                    if matches(stack, method, path, persona, target)
                ]
                yield pytest.param(cell, id=cell.id, marks=marks)


def run_cell(world: World, cell: Cell) -> None:
    spec = ROUTES.get((cell.method, cell.path))
    assert spec is not None, f"{cell.method} {cell.path} has no expectation in the matrix: add it to ROUTES"
    persona = PERSONAS[cell.persona]
    expected = expected_status(spec, persona, cell.target)
    call = spec.call(world, persona, cell.target, expected)
    url = call.url or cell.path
    client = world.api.client
    client.cookies.clear()  # a sign-in cell's cookie must not authenticate the next cell
    response = client.request(
        cell.method, url, headers=world.headers[cell.persona], params=call.params, json=call.json, files=call.files
    )
    client.cookies.clear()
    assert response.status_code == expected, f"{cell.id}: {response.status_code}, expected {expected}: {response.text}"
    sent = url + repr(call.params or {})
    body = response.text
    if call.params and "q" in call.params:  # the search answer echoes the query: the caller's own words
        body = body.replace(f'"query":"{call.params["q"]}"', '"query":"<the query>"')
    everything = body + "\n" + "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    leaked = [] if spec.trail and persona.role is Role.auditor else world.leaks(persona, everything, sent)
    assert not leaked, f"{cell.id}: the answer carries {leaked} from cases or documents the caller may not see"
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
        assert response.json()["status"] == response.status_code
    if response.status_code == 401:
        assert response.headers.get("www-authenticate") == "Bearer"
    if response.status_code < 300 and spec.check is not None:
        spec.check(world, persona, cell.target, response)


# --- the embedded matrix ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = embedded_settings(tmp_path_factory.mktemp("matrix"), BOOTSTRAP_TOKEN)
    with open_api(settings) as api:
        yield build_world(api)


@pytest.mark.parametrize("cell", list(_cells(ROUTE_TABLE)))
def test_cell(world: World, cell: Cell) -> None:
    run_cell(world, cell)


def test_every_route_has_an_expectation_and_every_expectation_a_route() -> None:
    table = set(ROUTE_TABLE)
    assert not table - set(ROUTES), f"routes with no expectation in the matrix: {sorted(table - set(ROUTES))}"
    assert not set(ROUTES) - table, f"expectations for routes the app no longer has: {sorted(set(ROUTES) - table)}"


def test_the_matrix_covers_every_persona_and_target() -> None:
    """The issue's minimum: each role, no token, expired and revoked tokens; own, foreign, granted, sealed."""
    assert {persona.role for persona in PERSONAS.values() if persona.signed_in} == set(Role)
    assert {"anonymous", "expired", "revoked", "read_only"} <= set(PERSONAS)
    assert {"own", "foreign", "granted", "sealed", "missing"} <= set(CASE_TARGETS)
    assert any(spec.sealed and CASES[spec.case].key == "own" for spec in DOCUMENTS.values())


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TARGETED = [route for route, spec in ROUTES.items() if spec.targets in (CASE_TARGETS, DOCUMENT_TARGETS)]


@pytest.mark.parametrize("route", TARGETED, ids=[f"{method} {path}" for method, path in TARGETED])
def test_a_forbidden_id_answers_exactly_like_a_missing_one(world: World, route: tuple[str, str]) -> None:
    """Guessing another unit's (or a sealed) case or document id tells nothing: the answer is the one an id that
    names nothing gets, ids aside: status, content type and body alike."""
    method, path = route
    spec = ROUTES[route]
    missing = "missing" if spec.targets == CASE_TARGETS else "missing_doc"

    def answer(persona: Persona, target: str) -> tuple[int, str, str]:
        expected = expected_status(spec, persona, target)
        call = spec.call(world, persona, target, expected)
        world.api.client.cookies.clear()
        response = world.api.client.request(
            method, call.url or path, headers=world.headers[persona.name], params=call.params, json=call.json,
            files=call.files,
        )  # fmt: skip
        return response.status_code, response.headers.get("content-type", ""), UUID.sub("<id>", response.text)

    compared = 0
    for persona in PERSONAS.values():
        if not persona.signed_in:
            continue
        nothing = answer(persona, missing)
        for target in spec.targets:
            if target != missing and expected_status(spec, persona, target) == nothing[0] and nothing[0] >= 400:
                assert answer(persona, target) == nothing, f"{persona.name} on {target}"
                compared += 1
    assert compared > 0


# --- the core cells on the production stack --------------------------------------------------------------------


@pytest.fixture(scope="module", params=["production"])
def stack_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The same world on the production stack (PostgreSQL, Elasticsearch, MinIO, Celery), built once: the stack_api
    fixture's machinery (tests/conftest.open_stack), at module scope. The embedded stack runs the full matrix above."""
    with open_stack(request.param, tmp_path_factory.mktemp(f"matrix-{request.param}")) as api:
        yield build_world(api)


@pytest.mark.parametrize("cell", list(_cells(ROUTE_TABLE, core_only=True, stack="production")))
def test_core_cell_on_the_production_stack(stack_world: World, cell: Cell) -> None:
    run_cell(stack_world, cell)
