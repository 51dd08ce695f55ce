"""Shared fixtures: a Casefile app on a stack, tokens for each role, and upload helpers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from access import repository as access_repository
from access import service as access_service
from access.schemas import SYSTEM, TokenCreate, UserCreate
from api.main import create_app
from core.config import Settings
from core.db import migrate
from core.models import Role, UnitKind
from core.uow import unit_of_work
from tests.stacks import STACKS, embedded_settings, production_stack

BOOTSTRAP_TOKEN = "cf_test-bootstrap-token-0123456789"
TEST_PASSWORD = "correct horse battery staple"
TEST_UNIT = "Ministry of Test"


@dataclass
class Api:
    """A TestClient bound to one stack, with a token per role: a user of that role in the test unit, and the
    bootstrap admin token."""

    client: TestClient
    settings: Settings
    tokens: dict[Role, str]
    unit_id: str
    user_ids: dict[Role, str]

    def headers(self, role: Role = Role.admin) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def get(self, url: str, role: Role = Role.admin, **kwargs: Any) -> httpx.Response:
        return self.client.get(url, headers=self.headers(role) | kwargs.pop("headers", {}), **kwargs)

    def post(self, url: str, role: Role = Role.admin, **kwargs: Any) -> httpx.Response:
        return self.client.post(url, headers=self.headers(role), **kwargs)

    def patch(self, url: str, role: Role = Role.admin, **kwargs: Any) -> httpx.Response:
        return self.client.patch(url, headers=self.headers(role), **kwargs)

    def create_case(self, number: str = "W.P. No. 1234 of 2024", **fields: Any) -> dict[str, Any]:
        body = {"number": number, "title": "Ahmad v. Province", "court": "Lahore High Court", "unit_id": self.unit_id}
        body |= fields
        response = self.post("/api/v1/cases", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def upload(self, case_id: str, filename: str, content: bytes, **form: str) -> httpx.Response:
        return self.post(f"/api/v1/cases/{case_id}/documents", files={"file": (filename, content)}, data=form)

    def wait_until_done(self, document_id: str, timeout: float = 240) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            document = self.get(f"/api/v1/documents/{document_id}").json()
            if document["status"] in ("indexed", "failed"):
                return dict(document)
            time.sleep(0.2)
        raise AssertionError(f"document {document_id} still {document['status']} after {timeout} s")

    def search(self, q: str, **params: Any) -> dict[str, Any]:
        response = self.get("/api/v1/search", params={"q": q} | params)
        assert response.status_code == 200, response.text
        return dict(response.json())


@contextmanager
def open_api(settings: Settings) -> Iterator[Api]:
    migrate(settings)  # the API refuses an outdated schema; `casefile migrate` does this in deployments
    with TestClient(create_app(settings)) as client:
        tokens, user_ids = {Role.admin: BOOTSTRAP_TOKEN}, {}
        with unit_of_work(settings) as session:  # idempotent: a restored install already has them
            unit = access_repository.find_unit_by_name(session, TEST_UNIT) or access_service.create_unit(
                session, SYSTEM, TEST_UNIT, UnitKind.ministry
            )
            unit_id = unit.id
            for role in (Role.clerk, Role.officer, Role.focal_person, Role.auditor, Role.client):
                username = f"test-{role.value}"
                user = access_repository.find_user(session, username) or access_service.create_user(
                    session,
                    SYSTEM,
                    UserCreate(username=username, full_name=f"Test {role.value}", role=role, unit_id=unit.id,
                               password=TEST_PASSWORD),
                )  # fmt: skip
                user_ids[role] = user.id
                tokens[role] = access_service.create_token(session, SYSTEM, TokenCreate(name="test", user_id=user.id))[
                    1
                ]
        yield Api(client=client, settings=settings, tokens=tokens, unit_id=unit_id, user_ids=user_ids)


@pytest.fixture(name="embedded_settings")
def embedded_settings_fixture(tmp_path: Path) -> Settings:
    return embedded_settings(tmp_path, BOOTSTRAP_TOKEN)


@pytest.fixture
def api(embedded_settings: Settings) -> Iterator[Api]:
    """The API on the embedded default (SQLite, FTS5, local disk, in-process worker)."""
    with open_api(embedded_settings) as api:
        yield api


@contextmanager
def open_stack(stack: str, tmp_path: Path, **overrides: Any) -> Iterator[Api]:
    """The API on one stack with settings of its own (never mutate a running app's settings)."""
    if stack == "embedded":
        with open_api(embedded_settings(tmp_path, BOOTSTRAP_TOKEN, **overrides)) as api:
            yield api
        return
    with production_stack(tmp_path, BOOTSTRAP_TOKEN, **overrides) as (settings, _worker), open_api(settings) as api:
        yield api


@pytest.fixture(params=STACKS)
def stack_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    """The API on each stack in turn: the contract suite runs every test on both."""
    with open_stack(request.param, tmp_path) as api:
        yield api
