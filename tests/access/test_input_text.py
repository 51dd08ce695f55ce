"""NUL bytes and control characters in free text (issue 9, "bad input"): PostgreSQL refuses NUL in text, so each
one that reached a query was a 500. Names and ids in bodies are refused with a 422 problem body, an address
(path or query) holding a NUL with a 422 before any query, and a sign-in with such a name is a plain 401 that
never looks the name up. Failed sign-ins are recorded as the name typed, marked failed, with no role. Both stacks.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from access import service as access_service
from access.schemas import SYSTEM
from core.errors import InvalidInput
from core.models import AuditEvent, Role, SignInFailure, UnitKind
from core.uow import unit_of_work
from tests.access.test_sessions import LOGIN, problem, without_instance
from tests.conftest import TEST_PASSWORD, Api

NUL, CONTROL = "a\x00b", "line\nbreak\x1b[31m"


def bodies(api: Api, case_id: str) -> list[tuple[str, dict[str, Any]]]:
    """A POST per free-text field that reaches the database."""
    unit, clerk = api.unit_id, api.user_ids[Role.clerk]
    sent: list[tuple[str, dict[str, Any]]] = []
    for bad in (NUL, CONTROL):
        sent += [
            ("/api/v1/units", {"name": bad}),
            ("/api/v1/users", {"username": "new-user", "full_name": bad, "role": "clerk", "unit_id": unit}),
            ("/api/v1/users", {"username": "new-user", "role": "clerk", "unit_id": bad}),
            ("/api/v1/tokens", {"name": bad, "role": "client"}),
            ("/api/v1/tokens", {"name": "t", "user_id": bad}),
            (f"/api/v1/cases/{case_id}/grants", {"user_id": bad}),
            (f"/api/v1/cases/{case_id}/grants", {"unit_id": bad}),
            (f"/api/v1/cases/{case_id}/assignments", {"user_id": bad}),
        ]
    sent.append(("/api/v1/tokens", {"name": "t", "user_id": clerk + "\x00"}))  # a real id with a NUL after it
    return sent


def test_names_and_ids_with_control_characters_are_refused_with_a_problem_body(stack_api: Api) -> None:
    api = stack_api
    case = api.create_case()
    for url, body in bodies(api, case["id"]):
        response = api.post(url, json=body)
        detail = problem(response, 422)
        assert detail["errors"], (url, body, detail)
    # A case's title is refused by its schema on both stacks alike (SQLite would store NUL; PostgreSQL cannot).
    response = api.post("/api/v1/cases", json={"number": "N 1", "title": NUL, "court": "LHC"})
    assert problem(response, 422)["errors"], response.text
    # Ordinary names with non-ASCII letters and spaces still pass.
    assert api.post("/api/v1/units", json={"name": "Ministry of Law — قانون"}).status_code == 201


def test_a_nul_in_the_address_is_refused_before_any_query(stack_api: Api) -> None:
    api = stack_api
    case = api.create_case()
    urls = [
        "/api/v1/cases/a%00b",
        "/api/v1/cases/a%00b/documents",
        "/api/v1/cases/a%00b/access-log",
        "/api/v1/documents/a%00b",
        f"/api/v1/cases/{case['id']}%00",  # a real id with a NUL after it: not that case either
        "/api/v1/audit?actor=a%00b",
        "/api/v1/audit?target_id=a%00b",
        "/api/v1/cases?court=a%00b",
    ]
    for url in urls:
        for role in (Role.admin, Role.clerk, Role.auditor):
            problem(api.get(url, role=role), 422)
    problem(api.client.delete("/api/v1/tokens/a%00b", headers=api.headers()), 422)
    problem(api.client.delete(f"/api/v1/cases/{case['id']}/grants/a%00b", headers=api.headers()), 422)
    # "%2500" is a percent sign and two zeros, not a NUL: an ordinary filter that matches nothing.
    assert api.get("/api/v1/audit", role=Role.auditor, params={"actor": "a%00b"}).json()["total"] == 0


def failed_sign_ins(api: Api) -> list[AuditEvent]:
    with unit_of_work(api.settings) as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "auth.sign_in", AuditEvent.outcome == "failed")
                .order_by(AuditEvent.id)
            )
        )


def test_sign_in_with_control_characters_is_a_plain_401_and_is_recorded_escaped(stack_api: Api) -> None:
    api = stack_api
    wrong = api.client.post(LOGIN, json={"username": "test-clerk", "password": "wrong password"})
    expected = without_instance(problem(wrong, 401))
    for username, password in ((NUL, TEST_PASSWORD), ("test-clerk\x00", TEST_PASSWORD), (CONTROL, "x"),
                               ("test-clerk", "pass\x00word"), ("\x00" * 30, "x")):  # fmt: skip
        response = api.client.post(LOGIN, json={"username": username, "password": password})
        assert without_instance(problem(response, 401)) == expected, (username, password)
        assert not response.headers.get_list("set-cookie")
    actors = [row.actor for row in failed_sign_ins(api)]
    assert actors == [
        "test-clerk (failed sign-in)",
        "a\\x00b (failed sign-in)",
        "test-clerk\\x00 (failed sign-in)",  # not the clerk: a name that cannot exist
        "line\\x0abreak\\x1b[31m (failed sign-in)",
        "test-clerk (failed sign-in)",
        "\\x00" * 25 + " (failed sign-in)",  # escaped, then cut to a username's 100 characters
    ]
    with unit_of_work(api.settings) as session:  # the throttle counts them, under the escaped name
        names = session.scalars(select(SignInFailure.username).order_by(SignInFailure.id)).all()
    assert names[1:4] == ["a\\x00b", "test-clerk\\x00", "line\\x0abreak\\x1b[31m"]


def test_failed_sign_ins_are_recorded_as_the_name_typed_with_no_role(stack_api: Api) -> None:
    api = stack_api
    clerk = api.user_ids[Role.clerk]
    api.client.post(LOGIN, json={"username": "test-clerk", "password": "wrong password"})
    api.client.post(LOGIN, json={"username": "nobody-at-all", "password": "wrong password"})
    assert api.client.post(LOGIN, json={"username": "test-clerk", "password": TEST_PASSWORD}).status_code == 200
    failed = failed_sign_ins(api)
    seen = [(row.actor, row.user_id, row.token_id, row.target_id, row.detail) for row in failed]
    assert seen == [
        ("test-clerk (failed sign-in)", None, None, clerk, {"reason": "wrong password"}),
        ("nobody-at-all (failed sign-in)", None, None, None, {"reason": "unknown user"}),
    ]
    assert all(f"({role.value})" not in row.actor for row in failed for role in Role)
    with unit_of_work(api.settings) as session:  # the successful one is the user, with their role
        ok = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.sign_in", AuditEvent.outcome == "ok")
        ).one()
    assert (ok.actor, ok.user_id, ok.target_id) == ("test-clerk (clerk)", clerk, clerk)
    # The trail's API finds them by the account they were against, and by outcome.
    rows = api.get("/api/v1/audit", role=Role.auditor, params={"target_id": clerk, "outcome": "failed"}).json()
    assert [row["actor"] for row in rows["items"]] == ["test-clerk (failed sign-in)"]


@pytest.mark.parametrize("name", [NUL, CONTROL, "tab\there"])
def test_the_cli_refuses_a_unit_name_with_control_characters(api: Api, name: str) -> None:
    with pytest.raises(InvalidInput), unit_of_work(api.settings) as session:
        access_service.create_unit(session, SYSTEM, name, UnitKind.other)
