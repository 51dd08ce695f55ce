"""The walls in search, on every stack (issue 9, decision 0011): a word planted in a page the caller may not see
is absent from hits, totals, facets, snippets and case-level search; grants, assignments and seals move the walls
as soon as the API answers."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from core.models import Role
from tests.conftest import Api

OTHER_UNIT = "Ministry of Elsewhere"
UNIT_ROLES = (Role.clerk, Role.focal_person, Role.client)  # they see their own unit's cases


def _word() -> str:
    """A word no other page holds (letters only, so both engines keep it one token)."""
    rng = random.Random(uuid.uuid4().int)
    return "zq" + "".join(rng.choice("bcdfghjklmnprstvw") for _ in range(10))


@dataclass
class Walls:
    api: Api
    other_unit_id: str
    other_clerk: str  # a token of a clerk of the other unit

    def token(self, who: Role | str) -> str:
        return self.api.tokens[who] if isinstance(who, Role) else who

    def search(self, who: Role | str, q: str | None, **params: Any) -> dict[str, Any]:
        response = self.api.client.get(
            "/api/v1/search", params=({"q": q} if q else {}) | params,
            headers={"Authorization": f"Bearer {self.token(who)}"},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        return dict(response.json())

    def cases(self, who: Role | str, q: str) -> dict[str, Any]:
        response = self.api.client.get(
            "/api/v1/cases", params={"q": q}, headers={"Authorization": f"Bearer {self.token(who)}"}
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def finds(self, who: Role | str, word: str) -> int:
        return int(self.search(who, word)["total"])

    def document(self, case_id: str, text: str) -> str:
        response = self.api.upload(case_id, "paper.txt", text.encode())
        assert response.status_code == 202, response.text
        document_id = str(response.json()["id"])
        assert self.api.wait_until_done(document_id)["status"] == "indexed"
        return document_id

    def ok(self, response: Any, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        return dict(response.json()) if response.content else {}


def _sees_nothing(result: dict[str, Any], word: str) -> None:
    assert result["total"] == 0 and result["hits"] == []
    assert result["facets"] and all(values == [] for values in result["facets"].values()), result["facets"]
    answer = {key: value for key, value in result.items() if key != "query"}  # the query is echoed, of course
    assert word not in str(answer)  # no snippet, title or anything else of the page


@pytest.fixture
def walls(stack_api: Api) -> Walls:
    unit = stack_api.post("/api/v1/units", json={"name": OTHER_UNIT, "kind": "ministry"})
    assert unit.status_code == 201, unit.text
    user = stack_api.post("/api/v1/users", json={"username": "elsewhere-clerk", "role": "clerk",
                                                 "unit_id": unit.json()["id"]})  # fmt: skip
    assert user.status_code == 201, user.text
    token = stack_api.post("/api/v1/tokens", json={"name": "walls", "user_id": user.json()["id"]})
    assert token.status_code == 201, token.text
    return Walls(stack_api, unit.json()["id"], token.json()["token"])


def test_a_word_in_another_units_case_is_absent_for_every_role_of_this_unit(walls: Walls) -> None:
    api, word, own_word = walls.api, _word(), _word()
    theirs = api.create_case(number="Crl. A. 7 of 2025", court="Sindh High Court", unit_id=walls.other_unit_id)
    walls.document(theirs["id"], f"The witness named {word} gave evidence in camera.")
    ours = api.create_case(number="W.P. 8 of 2025")
    walls.document(ours["id"], f"Our own paper mentions {own_word}.")

    for role in (*UNIT_ROLES, Role.officer):
        result = walls.search(role, word)
        _sees_nothing(result, word)
        _sees_nothing(walls.search(role, None, case_id=theirs["id"]), word)  # filters alone, no words
        _sees_nothing(walls.search(role, f"{word} OR {own_word}", court="Sindh High Court"), word)
        listed = walls.cases(role, word)
        assert listed["items"] == [] and listed["total"] == 0, (role, listed)
    for role in UNIT_ROLES:  # the search itself works for them: their own unit's page is found
        assert walls.finds(role, own_word) == 1, role
        assert walls.search(role, f"{word} OR {own_word}")["facets"]["court"] == [
            {"value": "Lahore High Court", "count": 1}
        ]
    assert walls.finds(walls.other_clerk, word) == 1  # the owning unit finds it, and so does the admin
    (hit,) = walls.search(Role.admin, word)["hits"]
    assert f"<mark>{word}</mark>" in hit["snippets"][0]
    assert walls.finds(walls.other_clerk, own_word) == 0  # the walls stand both ways
    assert api.get("/api/v1/search", role=Role.auditor, params={"q": word}).status_code == 403


def test_a_sealed_document_is_found_by_its_officer_and_admins_only(walls: Walls) -> None:
    api, word = walls.api, _word()
    case = api.create_case(number="Crl. A. 9 of 2025")
    walls.ok(api.post(f"/api/v1/cases/{case['id']}/assignments", json={"user_id": api.user_ids[Role.officer]}), 201)
    document_id = walls.document(case["id"], f"The victim, {word}, is not to be named.")
    assert walls.finds(Role.clerk, word) == 1

    walls.ok(api.patch(f"/api/v1/documents/{document_id}", json={"sealed": True, "seal_reason": "victim"}), 200)
    for role in UNIT_ROLES:
        _sees_nothing(walls.search(role, word), word)
        assert walls.cases(role, word)["items"] == [], role
    assert walls.finds(Role.officer, word) == 1  # assigned
    assert walls.finds(Role.admin, word) == 1
    assert [item["id"] for item in walls.cases(Role.officer, word)["items"]] == [case["id"]]

    walls.ok(api.patch(f"/api/v1/documents/{document_id}", json={"sealed": False}), 200)
    assert walls.finds(Role.clerk, word) == 1

    # A sealed case: its unit loses it, the assigned officer keeps it; unsealed, it is back.
    walls.ok(api.patch(f"/api/v1/cases/{case['id']}", json={"sealed": True, "seal_reason": "in camera"}), 200)
    _sees_nothing(walls.search(Role.clerk, word), word)
    assert walls.finds(Role.officer, word) == 1
    walls.ok(api.patch(f"/api/v1/cases/{case['id']}", json={"sealed": False}), 200)
    assert walls.finds(Role.clerk, word) == 1


def test_grants_and_assignments_move_the_walls_at_once(walls: Walls) -> None:
    api, word = walls.api, _word()
    case = api.create_case(number="C.R. 11 of 2025", unit_id=walls.other_unit_id)
    walls.document(case["id"], f"Mutation entry {word} was sanctioned.")
    grants = f"/api/v1/cases/{case['id']}/grants"

    grant = walls.ok(api.post(grants, json={"user_id": api.user_ids[Role.clerk], "access": "read"}), 201)
    assert walls.finds(Role.clerk, word) == 1
    listed = walls.cases(Role.clerk, word)["items"]
    assert [(item["id"], item["matched_documents"]) for item in listed] == [(case["id"], 1)]
    assert walls.finds(Role.focal_person, word) == 0  # a grant to one user is not a grant to the unit
    assert api.client.delete(f"{grants}/{grant['id']}", headers=api.headers()).status_code == 204
    _sees_nothing(walls.search(Role.clerk, word), word)
    assert walls.cases(Role.clerk, word)["items"] == []

    grant = walls.ok(api.post(grants, json={"unit_id": api.unit_id, "access": "read"}), 201)
    for role in (*UNIT_ROLES, Role.officer):  # a unit grant reaches every member, officers too
        assert walls.finds(role, word) == 1, role
    assert api.client.delete(f"{grants}/{grant['id']}", headers=api.headers()).status_code == 204
    for role in (*UNIT_ROLES, Role.officer):
        assert walls.finds(role, word) == 0, role

    assignment = walls.ok(api.post(f"/api/v1/cases/{case['id']}/assignments",
                                   json={"user_id": api.user_ids[Role.officer]}), 201)  # fmt: skip
    assert walls.finds(Role.officer, word) == 1
    unassign = f"/api/v1/cases/{case['id']}/assignments/{assignment['id']}"
    assert api.client.delete(unassign, headers=api.headers()).status_code == 204
    _sees_nothing(walls.search(Role.officer, word), word)


def test_a_grantee_sees_a_sealed_document_and_loses_it_with_the_grant(walls: Walls) -> None:
    api, word = walls.api, _word()
    case = api.create_case(number="C.R. 12 of 2025", unit_id=walls.other_unit_id)
    document_id = walls.document(case["id"], f"Sealed minutes about {word}.")
    walls.ok(api.patch(f"/api/v1/documents/{document_id}", json={"sealed": True, "seal_reason": "in camera"}), 200)
    assert walls.finds(walls.other_clerk, word) == 0  # even the owning unit's clerk
    grant = walls.ok(api.post(f"/api/v1/cases/{case['id']}/grants", json={"user_id": api.user_ids[Role.clerk]}), 201)
    assert walls.finds(Role.clerk, word) == 1  # explicit grantees see sealed material
    assert api.client.delete(f"/api/v1/cases/{case['id']}/grants/{grant['id']}", headers=api.headers()).status_code \
        == 204  # fmt: skip
    _sees_nothing(walls.search(Role.clerk, word), word)
