"""Browser tests in real Chromium (Debian's package): a live Casefile server, people to sign in as, and axe-core.

pytest-playwright drives the browser; its own browser download must never run, so the launch points at
/usr/bin/chromium. The server is the embedded stack (SQLite, FTS5, local disk, in-process worker) in a thread of
this process, started once per session; each test makes its own cases, so tests stay independent.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Page

from access import repository as access_repository
from access import service as access_service
from access.schemas import SYSTEM, TokenCreate, UserCreate
from api.main import create_app
from core.config import Settings
from core.db import migrate
from core.models import Role, UnitKind
from core.uow import unit_of_work
from tests.conftest import BOOTSTRAP_TOKEN, TEST_PASSWORD, TEST_UNIT
from tests.stacks import embedded_settings

CHROMIUM = "/usr/bin/chromium"
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
OTHER_UNIT = "Ministry of Elsewhere"
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: `make test` installs Debian's chromium (scripts/install-system-deps.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@dataclass
class WebStack:
    """A live server and the people on it: username -> (role, unit name). Every password is TEST_PASSWORD."""

    base_url: str
    settings: Settings
    people: dict[str, tuple[Role, str]]
    unit_ids: dict[str, str]
    user_ids: dict[str, str]
    tokens: dict[str, str]  # username -> an API token, for setting up data without the browser

    def api(self, username: str = "web-admin") -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[username]}"}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=60)

    def create_case(self, number: str, title: str = "Ahmad v. Province", **fields: Any) -> dict[str, Any]:
        body = {"number": number, "title": title, "court": "Lahore High Court", "unit_id": self.unit_ids[TEST_UNIT]}
        with self.api() as client:
            response = client.post("/api/v1/cases", json=body | fields)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def upload(self, case_id: str, filename: str, content: bytes) -> dict[str, Any]:
        with self.api() as client:
            response = client.post(f"/api/v1/cases/{case_id}/documents", files={"file": (filename, content)})
        assert response.status_code in (201, 202), response.text
        return dict(response.json())

    def wait_until_done(self, document_id: str, timeout: float = 240) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self.api() as client:
            while time.monotonic() < deadline:
                document = dict(client.get(f"/api/v1/documents/{document_id}").json())
                if document["status"] in ("indexed", "failed"):
                    return document
                time.sleep(0.2)
        raise AssertionError(f"document {document_id} still {document['status']} after {timeout} s")


PEOPLE: dict[str, tuple[Role, str]] = {
    "web-admin": (Role.admin, TEST_UNIT),
    "web-clerk": (Role.clerk, TEST_UNIT),
    "web-officer": (Role.officer, TEST_UNIT),
    "web-focal": (Role.focal_person, TEST_UNIT),
    "web-auditor": (Role.auditor, TEST_UNIT),
    "other-officer": (Role.officer, OTHER_UNIT),
    "other-clerk": (Role.clerk, OTHER_UNIT),
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _seed(settings: Settings) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    unit_ids, user_ids, tokens = {}, {}, {}
    with unit_of_work(settings) as session:
        for name in (TEST_UNIT, OTHER_UNIT):
            unit = access_repository.find_unit_by_name(session, name) or access_service.create_unit(
                session, SYSTEM, name, UnitKind.ministry
            )
            unit_ids[name] = unit.id
        for username, (role, unit_name) in PEOPLE.items():
            full_name = username.replace("-", " ").title()
            user = access_service.create_user(session, SYSTEM, UserCreate(
                username=username, full_name=full_name, role=role, unit_id=unit_ids[unit_name], password=TEST_PASSWORD
            ))  # fmt: skip
            user_ids[username] = user.id
            tokens[username] = access_service.create_token(session, SYSTEM, TokenCreate(name="web", user_id=user.id))[1]
    return unit_ids, user_ids, tokens


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStack]:
    settings = embedded_settings(tmp_path_factory.mktemp("web"), BOOTSTRAP_TOKEN)
    migrate(settings)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=_free_port(),
                                           log_level="warning", lifespan="on"))  # fmt: skip
    thread = threading.Thread(target=server.run, name="web-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    base_url = f"http://127.0.0.1:{server.config.port}"
    unit_ids, user_ids, tokens = _seed(settings)
    try:
        yield WebStack(base_url, settings, PEOPLE, unit_ids, user_ids, tokens)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        shutil.rmtree(settings.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], web_stack: WebStack) -> dict[str, Any]:
    return {**browser_context_args, "base_url": web_stack.base_url, "viewport": VIEWPORT}


def sign_in(page: Page, username: str, next_path: str = "/") -> None:
    """Sign in through the sign-in page, as a person would, and land on next_path."""
    page.goto(f"/sign-in?next={next_path}" if next_path != "/" else "/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


def assert_accessible(page: Page) -> None:
    """axe-core in the page: no violation of impact serious or critical."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not bad, f"axe-core on {page.url}:\n" + "\n".join(bad)
