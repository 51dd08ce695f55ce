"""The pending report counts each caller's cases by slices (their unit; the cases assigned or granted to them or
their unit, outside it), each inside the walls: every role and grouping, on both stacks, against a count made in
Python from the walls' own case list, and against totals counted by hand. Grants are what make slices overlap, so
this fixture has them: to a unit for cases in and out of that unit, to a person, on sealed cases, on a case with no
unit, beside an assignment, and on a decided case."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from access import policy
from access import service as access_service
from access.schemas import SYSTEM, Principal, UserCreate
from core.models import Access, Assignment, AssignmentRole, Case, CaseStatus, Grant, Role, Unit, UnitKind, User
from core.uow import unit_of_work
from reports import repository
from tests.conftest import TEST_PASSWORD, Api

OTHER = "Ministry of Other Matters"
ROLES = (Role.admin, Role.clerk, Role.focal_person, Role.client, Role.officer)


def _build(api: Api) -> None:
    officer, focal, clerk = (api.user_ids[role] for role in (Role.officer, Role.focal_person, Role.clerk))
    with unit_of_work(api.settings) as session:
        other = access_service.create_unit(session, SYSTEM, OTHER, UnitKind.ministry)
        second = access_service.create_user(session, SYSTEM, UserCreate(
            username="second-officer", full_name="Second Officer", role=Role.officer, unit_id=other.id,
            password=TEST_PASSWORD))  # fmt: skip
        a, b = api.unit_id, other.id
        made: dict[str, str] = {}

        def case(key: str, unit: str | None, status: CaseStatus, sealed: bool = False) -> None:
            row = Case(number=f"S-{key}", title=f"{key} v. State", court=f"Court {key[0]}", status=status,
                       unit_id=unit, sealed=sealed, parties=[], tags=[])  # fmt: skip
            session.add(row)
            session.flush()
            made[key] = row.id

        case("a1", a, CaseStatus.pending)
        case("a2", a, CaseStatus.pending, sealed=True)  # granted to unit A: seen through the grant alone
        case("a3", a, CaseStatus.assigned)  # granted to unit A as well: in unit A's slice only, counted once
        case("a4", a, CaseStatus.reserved, sealed=True)  # assigned to the officer; no grant
        case("a5", a, CaseStatus.closed)
        case("a6", a, CaseStatus.appeal)  # still pending
        case("b1", b, CaseStatus.pending)  # granted to unit A: the second slice
        case("b2", b, CaseStatus.assigned)  # granted to the focal person
        case("b3", b, CaseStatus.pending)  # granted to the officer, not assigned
        case("b4", b, CaseStatus.pending)  # assigned to the officer and granted to them
        case("b5", b, CaseStatus.pending)  # the officer's assignment ended
        case("b6", b, CaseStatus.decided)  # granted to unit A, not pending
        case("n1", None, CaseStatus.intake)  # no unit, granted to the clerk
        case("n2", None, CaseStatus.pending)  # no unit, no grant: admins only
        session.add_all([
            Grant(case_id=made["a2"], unit_id=a, access=Access.read),
            Grant(case_id=made["a3"], unit_id=a, access=Access.read),
            Grant(case_id=made["b1"], unit_id=a, access=Access.read),
            Grant(case_id=made["b2"], user_id=focal, access=Access.read),
            Grant(case_id=made["b3"], user_id=officer, access=Access.read),
            Grant(case_id=made["b4"], user_id=officer, access=Access.write),
            Grant(case_id=made["b6"], unit_id=a, access=Access.read),
            Grant(case_id=made["n1"], user_id=clerk, access=Access.read),
            Assignment(case_id=made["a4"], user_id=officer, role=AssignmentRole.lead),
            Assignment(case_id=made["b4"], user_id=officer, role=AssignmentRole.lead),
            Assignment(case_id=made["b4"], user_id=second.id, role=AssignmentRole.assisting),
            Assignment(case_id=made["a1"], user_id=second.id, role=AssignmentRole.assisting),
            Assignment(case_id=made["b1"], user_id=second.id, role=AssignmentRole.lead),
            Assignment(case_id=made["b5"], user_id=officer, role=AssignmentRole.lead, ended_at=datetime.now(UTC),
                       ended_reason="moved"),
        ])  # fmt: skip


def _expected(api: Api, role: Role) -> dict[str, Any]:
    """The same report counted in Python from the cases the walls (access/policy.py) list for the caller."""
    with unit_of_work(api.settings) as session:
        principal: Principal = SYSTEM
        if role is not Role.admin:
            user = session.get(User, api.user_ids[role])
            assert user is not None
            principal = access_service.principal_for(user)
        finished = set(repository.finished_statuses())
        cases = [found for found in session.scalars(select(Case).where(policy.visible_cases(principal)))
                 if found.status not in finished]  # fmt: skip
        units = {unit.id: unit.name for unit in session.scalars(select(Unit))}
        officers = Counter[str | None]()
        leads = Counter[str | None]()
        for found in cases:
            current = [item for item in found.assignments if item.ended_at is None]
            for item in current:
                officers[item.user_id] += 1
                leads[item.user_id] += item.role is AssignmentRole.lead
            if not current:
                officers[None] += 1
        return {
            "total": len(cases),
            "unit": dict(Counter(units[found.unit_id] if found.unit_id else repository.NO_UNIT for found in cases)),
            "court": dict(Counter(found.court for found in cases)),
            "officer": {user: (count, leads[user]) for user, count in officers.items()},
        }


def _report(api: Api, role: Role, by: str) -> dict[str, Any]:
    response = api.get("/api/v1/reports/pending", role, params={"by": by})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_pending_report_counts_what_the_walls_list_once_each(stack_api: Api) -> None:
    api = stack_api
    _build(api)
    totals = {}
    for role in ROLES:
        expected = _expected(api, role)
        by_unit, by_court, by_officer = (_report(api, role, by) for by in ("unit", "court", "officer"))
        assert {row["unit"]: row["cases"] for row in by_unit["rows"]} == expected["unit"], role
        assert {row["court"]: row["cases"] for row in by_court["rows"]} == expected["court"], role
        assert {row["officer_id"]: (row["cases"], row["lead"]) for row in by_officer["rows"]} == expected["officer"]
        assert by_unit["total"] == by_court["total"] == by_officer["total"] == expected["total"], role
        totals[role] = expected["total"]
    # Counted by hand from _build: a1 a2 a3 a6 of unit A (a2 by its grant), then b1 (unit grant), b2 (the focal
    # person's grant), n1 (the clerk's grant); the officer: a4 b4 assigned, b3 granted, a2 a3 b1 granted to unit A.
    assert totals == {Role.admin: 12, Role.clerk: 6, Role.focal_person: 6, Role.client: 5, Role.officer: 6}
    mine = _report(api, Role.focal_person, "unit")
    assert {row["unit"]: row["cases"] for row in mine["rows"]} == {"Ministry of Test": 4, OTHER: 2}
    clerk = _report(api, Role.clerk, "unit")
    assert {row["unit"]: row["cases"] for row in clerk["rows"]} == {"Ministry of Test": 4, OTHER: 1,
                                                                    repository.NO_UNIT: 1}  # fmt: skip
    officer = _report(api, Role.officer, "officer")
    assert {row["officer"]: (row["cases"], row["lead"]) for row in officer["rows"]} == {
        "Test officer": (2, 2), "Second Officer": (2, 1), repository.UNASSIGNED: (3, 0)}  # fmt: skip
