"""A world on both sides of the walls, for the authorisation matrix and the no-leak tests.

Three units: the test unit ("Ministry of Test", whose users are the personas), another unit that owns the foreign
cases, and a bystander unit whose users receive the throwaway grants and assignments that matrix cells make. Each case
and document carries a made-up word of its own (in its number, title, file name and text), so a body that mentions a
case or document the caller may not see is caught by looking for that word.

The model functions below (sees_case, writes_case, ...) restate the access table of access/policy.py for these
fixtures; they are written from the table, not from the product's code.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from access import repository as access_repository
from access import service as access_service
from access.schemas import SYSTEM, TokenCreate, UserCreate
from core.models import Access, Role, UnitKind, utcnow
from core.uow import unit_of_work
from tests.conftest import BOOTSTRAP_TOKEN, TEST_PASSWORD, Api

OTHER_UNIT = "Ministry of Elsewhere"
BYSTANDER_UNIT = "Bystander Division"
LOGIN_USER = "matrix-login"
COURT = "Matrix Court"


# --- personas ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    """Who calls: a user of the test unit by role (admin is the bootstrap token), or a bad credential."""

    name: str
    role: Role | None  # the role of the user the credential belongs to
    credential: str = "valid"  # valid | none | expired | revoked
    read_only: bool = False

    @property
    def signed_in(self) -> bool:
        return self.credential == "valid"


PERSONAS: dict[str, Persona] = {
    persona.name: persona
    for persona in (
        Persona("admin", Role.admin),
        Persona("clerk", Role.clerk),
        Persona("officer", Role.officer),
        Persona("focal_person", Role.focal_person),
        Persona("auditor", Role.auditor),
        Persona("client", Role.client),
        Persona("read_only", Role.clerk, read_only=True),  # the clerk, through a read-only token
        Persona("anonymous", None, credential="none"),
        Persona("expired", Role.clerk, credential="expired"),  # the clerk's token, past its expiry
        Persona("revoked", Role.clerk, credential="revoked"),  # the clerk's token, revoked
    )
}


# --- cases and documents -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSpec:
    key: str
    own_unit: bool = True  # owned by the test unit, else by the other unit
    sealed: bool = False
    unit_grant: Access | None = None  # a grant to the whole test unit
    user_grant: Role | None = None  # a read grant to the test user of this role
    assigned: bool = False  # the test officer is assigned
    exists: bool = True  # False: an id that names no case at all


CASES: dict[str, CaseSpec] = {
    spec.key: spec
    for spec in (
        CaseSpec("own"),
        CaseSpec("foreign", own_unit=False),
        CaseSpec("granted", own_unit=False, unit_grant=Access.read),
        CaseSpec("granted_write", own_unit=False, unit_grant=Access.write),
        CaseSpec("assigned", own_unit=False, assigned=True),
        CaseSpec("sealed", sealed=True),
        CaseSpec("sealed_granted", own_unit=False, sealed=True, user_grant=Role.focal_person, assigned=True),
        CaseSpec("missing", exists=False),
    )
}


@dataclass(frozen=True)
class DocSpec:
    key: str
    case: str
    sealed: bool = False


DOCUMENTS: dict[str, DocSpec] = {
    spec.key: spec
    for spec in (
        DocSpec("own_doc", "own"),
        DocSpec("foreign_doc", "foreign"),
        DocSpec("granted_doc", "granted"),
        DocSpec("granted_write_doc", "granted_write"),
        DocSpec("assigned_doc", "assigned"),
        DocSpec("sealed_case_doc", "sealed"),
        DocSpec("sealed_granted_doc", "sealed_granted"),
        DocSpec("missing_doc", "missing"),
        DocSpec("sealed_doc", "own", sealed=True),  # a sealed document in an otherwise visible case
        DocSpec("sealed_doc_assigned", "assigned", sealed=True),  # the same in the officer's case
    )
}


def word(key: str) -> str:
    """The made-up word planted in a case or document: bracketed by zq, so no word contains another."""
    return "zq" + key.replace("_", "") + "zq"


def citation(document_key: str) -> str:
    """The law report each document cites (the precedent graph, decision 0019): one of its own, so that who cites it
    is exactly that document."""
    return f"PLD 2019 SC {7001 + list(DOCUMENTS).index(document_key)}"


def main_document(case_key: str) -> str:
    """The one unsealed document of each case (its text holds the case's word too)."""
    return next(spec.key for spec in DOCUMENTS.values() if spec.case == case_key and not spec.sealed)


# --- the access table, restated for these fixtures -------------------------------------------------------------

UNIT_ROLES = frozenset({Role.clerk, Role.focal_person, Role.client})  # see their unit's cases
WRITING_ROLES = frozenset({Role.admin, Role.clerk, Role.officer, Role.client})  # may write somewhere


def privileged(persona: Persona, case: CaseSpec) -> bool:
    """Assigned or granted: sees the case, and its sealed material, whatever its unit."""
    if persona.role in (None, Role.auditor):
        return False
    assigned = case.assigned and persona.role is Role.officer
    return assigned or case.unit_grant is not None or (case.user_grant is not None and case.user_grant is persona.role)


def sees_case(persona: Persona, case: CaseSpec) -> bool:
    if not case.exists or not persona.signed_in:
        return False
    if persona.role is Role.admin:
        return True
    if persona.role is Role.auditor:
        return False
    own = persona.role in UNIT_ROLES and case.own_unit and not case.sealed
    return own or privileged(persona, case)


def sees_document(persona: Persona, document: DocSpec) -> bool:
    case = CASES[document.case]
    if not sees_case(persona, case):
        return False
    return not document.sealed or persona.role is Role.admin or privileged(persona, case)


def may_write(persona: Persona) -> bool:
    """The role (and the token's scope) may write at all."""
    return persona.signed_in and not persona.read_only and persona.role in WRITING_ROLES


def writes_case(persona: Persona, case: CaseSpec) -> bool:
    if not may_write(persona) or not sees_case(persona, case):
        return False
    write_grant = case.unit_grant is Access.write
    if persona.role is Role.admin:
        return True
    if persona.role is Role.clerk:
        return case.own_unit or write_grant
    if persona.role is Role.officer:
        return case.assigned
    return write_grant  # client


def manages_case(persona: Persona, case: CaseSpec) -> bool:
    """Assignments and grants: admins, and the owning unit's clerks (a write grant does not let a clerk of another
    unit share the case further)."""
    if not writes_case(persona, case):
        return False
    return persona.role is Role.admin or (persona.role is Role.clerk and case.own_unit)


# --- building the world ----------------------------------------------------------------------------------------


@dataclass
class World:
    api: Api
    headers: dict[str, dict[str, str]]  # persona name -> request headers
    case_ids: dict[str, str]
    document_ids: dict[str, str]
    unit_ids: dict[str, str]  # test, other, bystander
    bystander_user_id: str  # a client in the bystander unit: receives throwaway grants
    bystander_officer_id: str  # an officer in the bystander unit: receives throwaway assignments

    def admin(self) -> dict[str, str]:
        return self.headers["admin"]

    def forbidden_markers(self, persona: Persona) -> tuple[set[str], set[str]]:
        """The words and the ids of every case and document the persona may not see."""
        words: set[str] = set()
        ids: set[str] = set()
        for case in CASES.values():
            if not sees_case(persona, case):
                words.add(word(case.key))
                ids.add(self.case_ids[case.key])
        for document in DOCUMENTS.values():
            if not sees_document(persona, document):
                words.add(word(document.key))
                ids.add(self.document_ids[document.key])
        return words, ids

    def leaks(self, persona: Persona, text: str, sent: str) -> list[str]:
        """What in `text` comes from a case or document the persona may not see (ids the request itself sent,
        echoed in a 404's detail or instance, are not leaks)."""
        words, ids = self.forbidden_markers(persona)
        lowered = text.lower()
        found = [each for each in sorted(words) if each in lowered]
        found += [each for each in sorted(ids) if each in text and each not in sent]
        return found

    # Throwaway data, made as the admin, for cells whose request would change shared fixtures.

    def upload(self, case_id: str, label: str, text: str | None = None) -> dict[str, Any]:
        content = (text or f"Throwaway paper {label} {uuid.uuid4().hex}.\n").encode()
        response = self.api.client.post(
            f"/api/v1/cases/{case_id}/documents", headers=self.admin(), files={"file": (f"{label}.txt", content)}
        )
        assert response.status_code == 202, response.text
        return dict(response.json())

    def throwaway_document(self, document_key: str) -> str:
        """A new document in the same case as `document_key`, sealed if it is: the same walls, its own bytes."""
        spec = DOCUMENTS[document_key]
        document = self.upload(self.case_ids[spec.case], "throwaway")
        if spec.sealed:
            self.seal_document(document["id"])
        return str(document["id"])

    def seal_document(self, document_id: str) -> None:
        response = self.api.client.patch(
            f"/api/v1/documents/{document_id}", headers=self.admin(), json={"sealed": True, "seal_reason": "in camera"}
        )
        assert response.status_code == 200, response.text

    def add_grant(self, case_id: str, body: dict[str, Any]) -> str:
        response = self.api.client.post(f"/api/v1/cases/{case_id}/grants", headers=self.admin(), json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def assign(self, case_id: str, user_id: str) -> str:
        response = self.api.client.post(
            f"/api/v1/cases/{case_id}/assignments", headers=self.admin(), json={"user_id": user_id}
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def throwaway_token(self) -> str:
        response = self.api.client.post(
            "/api/v1/tokens", headers=self.admin(), json={"name": "throwaway", "user_id": self.bystander_user_id}
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


def _make_people(api: Api) -> tuple[dict[str, str], dict[str, str], str, str]:
    """Units, the bystanders, the sign-in user, and the read-only, expired and revoked tokens of the clerk."""
    tokens: dict[str, str] = {}
    with unit_of_work(api.settings) as session:
        other = access_service.create_unit(session, SYSTEM, OTHER_UNIT, UnitKind.ministry)
        bystanders = access_service.create_unit(session, SYSTEM, BYSTANDER_UNIT, UnitKind.law_office)
        unit_ids = {"test": api.unit_id, "other": other.id, "bystander": bystanders.id}

        def user(username: str, role: Role) -> str:
            data = UserCreate(username=username, role=role, unit_id=bystanders.id, password=TEST_PASSWORD)
            return access_service.create_user(session, SYSTEM, data).id

        bystander_user, bystander_officer = user("bystander", Role.client), user("bystander-officer", Role.officer)
        user(LOGIN_USER, Role.client)
        clerk = api.user_ids[Role.clerk]
        tokens["read_only"] = access_service.create_token(
            session, SYSTEM, TokenCreate(name="read-only", user_id=clerk, read_only=True)
        )[1]
        expired, tokens["expired"] = access_service.create_token(
            session, SYSTEM, TokenCreate(name="expired", user_id=clerk, expires_in_days=1)
        )
        expired.expires_at = utcnow() - timedelta(minutes=5)
        revoked, tokens["revoked"] = access_service.create_token(
            session, SYSTEM, TokenCreate(name="revoked", user_id=clerk)
        )
        access_service.revoke_token(session, SYSTEM, revoked.id)
        assert access_repository.find_user(session, LOGIN_USER) is not None
    return tokens, unit_ids, bystander_user, bystander_officer


def build_world(api: Api) -> World:
    tokens, unit_ids, bystander_user, bystander_officer = _make_people(api)
    headers: dict[str, dict[str, str]] = {"admin": {"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"}, "anonymous": {}}
    for name, persona in PERSONAS.items():
        if name in headers:
            continue
        token = tokens.get(name) or api.tokens[persona.role or Role.client]
        headers[name] = {"Authorization": f"Bearer {token}"}
    world = World(
        api=api,
        headers=headers,
        case_ids={},
        document_ids={},
        unit_ids=unit_ids,
        bystander_user_id=bystander_user,
        bystander_officer_id=bystander_officer,
    )
    client, admin = api.client, world.admin()
    for case in CASES.values():
        if not case.exists:
            world.case_ids[case.key] = str(uuid.uuid4())
            continue
        body = {
            "number": f"MX {word(case.key)}",
            "title": f"{word(case.key)} v. The State",
            "court": COURT,
            "unit_id": unit_ids["test" if case.own_unit else "other"],
        }
        response = client.post("/api/v1/cases", headers=admin, json=body)
        assert response.status_code == 201, response.text
        world.case_ids[case.key] = response.json()["id"]
    for document in DOCUMENTS.values():
        case = CASES[document.case]
        if not case.exists:
            world.document_ids[document.key] = str(uuid.uuid4())
            continue
        text = f"Statement {word(document.key)} under seal.\n"
        if not document.sealed:
            text = f"Papers of the matter {word(case.key)}. Exhibit {word(document.key)} is attached.\n"
        text += f"It relies on {citation(document.key)}.\n"
        uploaded = world.upload(world.case_ids[case.key], word(document.key), text)
        world.document_ids[document.key] = uploaded["id"]
    for document in DOCUMENTS.values():
        if CASES[document.case].exists:
            finished = api.wait_until_done(world.document_ids[document.key], timeout=120)
            assert finished["status"] == "indexed", finished
    # Walls go up after the papers are indexed: the index must follow every change.
    for case in CASES.values():
        case_id = world.case_ids[case.key]
        if case.unit_grant is not None:
            world.add_grant(case_id, {"unit_id": unit_ids["test"], "access": case.unit_grant.value})
        if case.user_grant is not None:
            world.add_grant(case_id, {"user_id": api.user_ids[case.user_grant], "access": "read"})
        if case.assigned:
            world.assign(case_id, api.user_ids[Role.officer])
    for document in DOCUMENTS.values():
        if document.sealed:
            world.seal_document(world.document_ids[document.key])
    for case in CASES.values():
        if case.sealed:
            response = client.patch(
                f"/api/v1/cases/{world.case_ids[case.key]}", headers=admin, json={"sealed": True, "seal_reason": "x"}
            )
            assert response.status_code == 200, response.text
    return world
