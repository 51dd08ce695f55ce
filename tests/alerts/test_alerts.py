"""Saved searches, alerts, notifications and more like this, end to end on every stack (issue 11, decision 0020).

An alert is the saved search run as its owner over the new document alone, inside the engine's walls: a document the
owner may not see never notifies. The alerts job runs after each document is indexed, in FIFO order behind the
uploads, so a later document's notification arriving means the earlier documents' jobs have run too.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest

from core.models import Role
from tests.conftest import Api, open_stack
from tests.smtp import Inbox, smtp_server
from tests.stacks import STACKS

OTHER_UNIT = "Ministry of Elsewhere"
NOTICE_TIMEOUT = 120.0


def _word() -> str:
    """A word no other page holds (letters only, so both engines keep it one token)."""
    rng = random.Random(uuid.uuid4().int)
    return "zq" + "".join(rng.choice("bcdfghjklmnprstvw") for _ in range(10))


def _ok(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json()) if response.content else {}


def _document(api: Api, case_id: str, text: str) -> str:
    response = api.upload(case_id, f"paper-{uuid.uuid4().hex[:6]}.txt", text.encode())
    document_id = str(_ok(response, 202)["id"])
    assert api.wait_until_done(document_id)["status"] == "indexed"
    return document_id


def _notifications(api: Api, who: Role | str, **params: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {api.tokens[who] if isinstance(who, Role) else who}"}
    return _ok(api.client.get("/api/v1/notifications", params=params | {"size": 100}, headers=headers), 200)


def _wait_for(api: Api, who: Role | str, done: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    deadline = time.monotonic() + NOTICE_TIMEOUT
    while time.monotonic() < deadline:
        items: list[dict[str, Any]] = _notifications(api, who)["items"]
        if done(items):
            return items
        time.sleep(0.25)
    raise AssertionError(f"notifications of {who} never came: {_notifications(api, who)}")


def _save(api: Api, role: Role, q: str, alert: bool = True, **filters: Any) -> dict[str, Any]:
    body = {"name": f"Watch {q}", "q": q, "filters": filters, "alert": alert}
    return _ok(api.post("/api/v1/saved-searches", role=role, json=body), 201)


@pytest.fixture
def other_unit(stack_api: Api) -> str:
    return str(_ok(stack_api.post("/api/v1/units", json={"name": OTHER_UNIT, "kind": "ministry"}), 201)["id"])


def test_an_alert_fires_only_for_new_documents_its_owner_may_see_and_never_twice(
    stack_api: Api, other_unit: str
) -> None:
    api, word = stack_api, _word()
    saved = _save(api, Role.clerk, word)
    _save(api, Role.focal_person, word, alert=False)  # saved without an alert: never notified
    assert [item["id"] for item in _ok(api.get("/api/v1/saved-searches", role=Role.clerk), 200)["items"]] == [
        saved["id"]
    ]

    theirs = api.create_case(number="Crl. A. 7 of 2025", court="Sindh High Court", unit_id=other_unit)
    _document(api, theirs["id"], f"Another unit's paper names {word}.")  # the clerk may not see it
    sealed = api.create_case(number="Crl. A. 9 of 2025")
    _ok(api.patch(f"/api/v1/cases/{sealed['id']}", json={"sealed": True, "seal_reason": "in camera"}), 200)
    _document(api, sealed["id"], f"A sealed paper names {word}.")  # the clerk's unit, but sealed
    ours = api.create_case(number="W.P. 8 of 2025")
    first = _document(api, ours["id"], f"First page.\f The petition names {word} on its second page.")

    items = _wait_for(api, Role.clerk, lambda items: len(items) >= 1)
    (notice,) = items
    assert notice["kind"] == "saved_search" and notice["document_id"] == first and notice["case_id"] == ours["id"]
    assert notice["read_at"] is None and saved["name"] in notice["title"]
    assert notice["link"].startswith(f"/documents/{first}/pages/")
    assert _notifications(api, Role.focal_person)["items"] == []

    # Processed again (reprocess): no second notice. A later document's notice shows the job has run since.
    _ok(api.post(f"/api/v1/documents/{first}/reprocess"), 202)
    assert api.wait_until_done(first)["status"] == "indexed"
    second = _document(api, ours["id"], f"A reply that also names {word}.")
    items = _wait_for(api, Role.clerk, lambda items: any(item["document_id"] == second for item in items))
    assert sorted(item["document_id"] for item in items) == sorted([first, second])


def test_a_sealed_document_notifies_only_those_who_may_see_it(stack_api: Api) -> None:
    """A document sealed in a case of the clerk's unit: indexed again (reprocess) once both have alerts, it notifies
    the case's assigned officer and not the clerk, whose next visible match arrives as usual."""
    api, word = stack_api, _word()
    case = api.create_case(number="Crl. A. 15 of 2025")
    _ok(api.post(f"/api/v1/cases/{case['id']}/assignments", json={"user_id": api.user_ids[Role.officer]}), 201)
    sealed = _document(api, case["id"], f"The victim, {word}, is not to be named.")
    _ok(api.patch(f"/api/v1/documents/{sealed}", json={"sealed": True, "seal_reason": "victim"}), 200)
    _save(api, Role.clerk, word)
    _save(api, Role.officer, word)

    _ok(api.post(f"/api/v1/documents/{sealed}/reprocess"), 202)
    assert api.wait_until_done(sealed)["status"] == "indexed"
    items = _wait_for(api, Role.officer, lambda items: any(item["kind"] == "saved_search" for item in items))
    assert [item["document_id"] for item in items if item["kind"] == "saved_search"] == [sealed]
    visible = _document(api, case["id"], f"An open order also names {word}.")
    items = _wait_for(api, Role.clerk, lambda items: len(items) >= 1)
    assert [item["document_id"] for item in items] == [visible]  # never the sealed one


def test_an_assigned_officer_hears_of_each_new_filing_even_sealed(stack_api: Api) -> None:
    api = stack_api
    officer = api.user_ids[Role.officer]
    mine = api.create_case(number="W.P. 11 of 2025", title="Rashid v. Federation")
    _ok(api.post(f"/api/v1/cases/{mine['id']}/assignments", json={"user_id": officer}), 201)
    elsewhere = api.create_case(number="W.P. 12 of 2025")  # not assigned: no notice
    _document(api, elsewhere["id"], "A reply in a case the officer does not hold.")
    sealed = api.create_case(number="W.P. 13 of 2025")
    _ok(api.post(f"/api/v1/cases/{sealed['id']}/assignments", json={"user_id": officer}), 201)
    _ok(api.patch(f"/api/v1/cases/{sealed['id']}", json={"sealed": True, "seal_reason": "in camera"}), 200)
    in_sealed = _document(api, sealed["id"], "An order in a sealed case.")
    filed = _document(api, mine["id"], "The respondents' parawise comments.")

    items = _wait_for(api, Role.officer, lambda items: any(item["document_id"] == filed for item in items))
    assert {item["document_id"] for item in items} == {filed, in_sealed}
    notice = next(item for item in items if item["document_id"] == filed)
    assert notice["kind"] == "new_filing" and "W.P. 11 of 2025" in notice["title"]
    assert _notifications(api, Role.clerk)["items"] == []  # not an officer of the case


def test_notifications_are_each_users_own(stack_api: Api) -> None:
    api, word = stack_api, _word()
    assert _ok(api.post("/api/v1/saved-searches", role=Role.clerk, json={"name": "bad", "q": "(bail"}), 400)
    assert api.post("/api/v1/saved-searches", role=Role.clerk, json={"name": "x", "q": "a", "filters": {"x": 1}})\
        .status_code == 422  # fmt: skip
    saved = _save(api, Role.clerk, word)
    case = api.create_case(number="W.P. 21 of 2025")
    first = _document(api, case["id"], f"One names {word}.")
    second = _document(api, case["id"], f"Two names {word} too.")
    items = _wait_for(api, Role.clerk, lambda items: len(items) == 2)
    assert [item["document_id"] for item in items] == [second, first]  # newest first

    # Someone else's ids are not found, whatever they try.
    notice = next(item for item in items if item["document_id"] == first)
    assert api.post(f"/api/v1/notifications/{notice['id']}/read", role=Role.focal_person).status_code == 404
    assert api.client.delete(f"/api/v1/saved-searches/{saved['id']}", headers=api.headers(Role.focal_person))\
        .status_code == 404  # fmt: skip

    marked = _ok(api.post(f"/api/v1/notifications/{notice['id']}/read", role=Role.clerk), 200)
    assert marked["read_at"] is not None
    listing = _notifications(api, Role.clerk)
    assert listing["unread"] == 1 and listing["total"] == 2
    assert [item["document_id"] for item in listing["items"]] == [second, first]  # unread first
    assert [item["document_id"] for item in _notifications(api, Role.clerk, unread="true")["items"]] == [second]
    assert _ok(api.post("/api/v1/notifications/read-all", role=Role.clerk), 200) == {"marked": 1}
    assert _notifications(api, Role.clerk)["unread"] == 0

    assert api.client.delete(f"/api/v1/saved-searches/{saved['id']}", headers=api.headers(Role.clerk))\
        .status_code == 204  # fmt: skip
    assert _ok(api.get("/api/v1/saved-searches", role=Role.clerk), 200)["items"] == []
    assert _notifications(api, Role.clerk)["total"] == 2  # the notices outlive the search


# --- email -------------------------------------------------------------------------------------------------------


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


@pytest.mark.parametrize("stack", STACKS)
def test_each_notification_is_emailed_once_when_smtp_is_set(
    stack: str, tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    overrides = {"smtp_url": f"smtp://127.0.0.1:{port}", "mail_domain": "law.gov.pk", "mail_from": "alerts@law.gov.pk"}
    with open_stack(stack, tmp_path, **overrides) as api:
        word = _word()
        _save(api, Role.clerk, word)
        case = api.create_case(number="W.P. 31 of 2025")
        document_id = _document(api, case["id"], f"The order names {word}.")
        _wait_for(api, Role.clerk, lambda items: len(items) == 1)
        (message,) = inbox.wait_for(1, NOTICE_TIMEOUT)
        assert message["To"] == "test-clerk@law.gov.pk" and message["From"] == "alerts@law.gov.pk"
        assert f"Watch {word}" in str(make_header(decode_header(message["Subject"])))
        assert f"/documents/{document_id}/pages/1" in message.get_payload()
        assert "The order names" not in message.get_payload()  # what matched and where, never the text

        _ok(api.post(f"/api/v1/documents/{document_id}/reprocess"), 202)
        assert api.wait_until_done(document_id)["status"] == "indexed"
        later = _document(api, case["id"], f"A later paper names {word}.")
        _wait_for(api, Role.clerk, lambda items: any(item["document_id"] == later for item in items))
        inbox.wait_for(2, NOTICE_TIMEOUT)
        time.sleep(0.5)
        assert len(inbox.messages) == 2  # one per notification: the reprocess sent nothing again


# --- more like this ----------------------------------------------------------------------------------------------

ORDER = (
    "The petitioner challenges the auction of agricultural land in mauza {word} tehsil Kasur by the revenue officer "
    "without notice to the tenants in possession, contrary to natural justice. The mutation sanctioned in haste is "
    "set aside and the matter remanded to the collector for a fresh decision after hearing the tenants."
)


def test_similar_finds_the_near_duplicate_first_and_nothing_outside_the_walls(stack_api: Api, other_unit: str) -> None:
    api, word = stack_api, _word()
    ours = api.create_case(number="W.P. 41 of 2025")
    original = _document(api, ours["id"], ORDER.format(word=word))
    copy = _document(api, ours["id"], ORDER.format(word=word) + " Certified to be a true copy.")
    unrelated = _document(api, ours["id"], "The bail application of the accused is dismissed for non-prosecution.")
    partial = _document(api, ours["id"], f"Notice to the tenants of mauza {word} about the auction of land.")
    theirs = api.create_case(number="Crl. A. 42 of 2025", unit_id=other_unit)
    hidden = _document(api, theirs["id"], ORDER.format(word=word))

    found = _ok(api.get(f"/api/v1/documents/{original}/similar", role=Role.clerk), 200)
    ids = [item["document_id"] for item in found["items"]]
    assert ids[0] == copy, found
    assert original not in ids and hidden not in ids
    # Engines differ in how little in common still counts (Elasticsearch wants 30% of the terms), not in the order.
    assert unrelated not in ids or (partial in ids and ids.index(unrelated) > ids.index(partial))
    assert found["items"][0]["case_number"] == "W.P. 41 of 2025"

    everything = [item["document_id"] for item in _ok(api.get(f"/api/v1/documents/{original}/similar"), 200)["items"]]
    assert hidden in everything[:2] and copy in everything[:2]  # the admin sees both copies
    assert api.get(f"/api/v1/documents/{hidden}/similar", role=Role.clerk).status_code == 404
