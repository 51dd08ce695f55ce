"""Unit heads on the admin page (issue 12, decision 0022): an admin sets and clears each unit's head, chosen among
that unit's active users, with the form's CSRF token; the change is audited and is what reminders escalate to."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from core.models import Unit
from core.uow import unit_of_work
from tests.conftest import TEST_PASSWORD, TEST_UNIT
from tests.web.conftest import WebStack, assert_accessible, sign_in


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _head_of(web_stack: WebStack, unit_id: str) -> str | None:
    with unit_of_work(web_stack.settings) as session:
        unit = session.get(Unit, unit_id)
        assert unit is not None
        return unit.head_user_id


def _person(client: httpx.Client, unit_id: str, name: str, role: str = "officer") -> dict[str, Any]:
    """A user called `name`, whose full name is `name` with a capital and a space: head-1a2b3c is "Head 1a2b3c"."""
    full_name = name.replace("-", " ", 1).capitalize()
    body = {"username": name, "full_name": full_name, "role": role, "unit_id": unit_id,
            "password": TEST_PASSWORD}  # fmt: skip
    return dict(_ok(client.post("/api/v1/users", json=body), 201))


def test_an_admin_sets_and_clears_a_units_head_among_its_active_users(page: Page, web_stack: WebStack) -> None:
    suffix = uuid.uuid4().hex[:6]
    with web_stack.api() as client:
        unit = _ok(client.post("/api/v1/units", json={"name": f"Section {suffix}", "kind": "ministry"}), 201)
        head = _person(client, unit["id"], f"head-{suffix}", role="focal_person")
        gone = _person(client, unit["id"], f"gone-{suffix}")
        _ok(client.patch(f"/api/v1/users/{gone['id']}", json={"active": False}))
        elsewhere = _person(client, web_stack.unit_ids[TEST_UNIT], f"elsewhere-{suffix}")
    assert _head_of(web_stack, unit["id"]) is None

    sign_in(page, "web-admin", "/admin")
    row = page.get_by_role("table", name="Units").get_by_role("row").filter(has_text=f"Section {suffix}")
    expect(row.get_by_test_id("unit-head")).to_have_text("none")
    choice = page.get_by_label(f"Head of Section {suffix}")
    # Only the unit's active users are offered: not the deactivated one, nor another unit's.
    expect(choice.locator("option")).to_have_text(["no head", f"Head {suffix} (head-{suffix})"])
    assert gone["id"] not in row.inner_html() and elsewhere["id"] not in row.inner_html()
    assert_accessible(page)

    choice.select_option(label=f"Head {suffix} (head-{suffix})")
    row.get_by_role("button", name=f"Save the head of Section {suffix}").click()
    expect(page.get_by_role("status")).to_have_text("The unit's head was saved.")
    row = page.get_by_role("table", name="Units").get_by_role("row").filter(has_text=f"Section {suffix}")
    expect(row.get_by_test_id("unit-head")).to_have_text(f"Head {suffix} (head-{suffix})")
    expect(page.get_by_label(f"Head of Section {suffix}")).to_have_value(head["id"])
    assert _head_of(web_stack, unit["id"]) == head["id"]
    with web_stack.api() as client:
        events = _ok(client.get("/api/v1/audit", params={"action": "unit.head", "target_id": unit["id"]}))["items"]
    assert len(events) == 1 and events[0]["actor"].startswith("web-admin")
    assert events[0]["detail"]["user_id"] == head["id"]
    assert_accessible(page)

    page.get_by_label(f"Head of Section {suffix}").select_option(label="no head")
    row.get_by_role("button", name=f"Save the head of Section {suffix}").click()
    expect(page.get_by_role("status")).to_have_text("The unit has no head now.")
    row = page.get_by_role("table", name="Units").get_by_role("row").filter(has_text=f"Section {suffix}")
    expect(row.get_by_test_id("unit-head")).to_have_text("none")
    assert _head_of(web_stack, unit["id"]) is None


def test_a_deactivated_head_is_refused_with_the_reason_and_only_admins_may_set_one(
    page: Page, web_stack: WebStack
) -> None:
    suffix = uuid.uuid4().hex[:6]
    with web_stack.api() as client:
        unit = _ok(client.post("/api/v1/units", json={"name": f"Wing {suffix}", "kind": "law_office"}), 201)
        person = _person(client, unit["id"], f"chief-{suffix}")
    sign_in(page, "web-admin", "/admin")
    page.get_by_label(f"Head of Wing {suffix}").select_option(label=f"Chief {suffix} (chief-{suffix})")
    with web_stack.api() as client:  # meanwhile, the person leaves
        _ok(client.patch(f"/api/v1/users/{person['id']}", json={"active": False}))
    with page.expect_response(f"**/admin/units/{unit['id']}/head") as answer:
        page.get_by_role("button", name=f"Save the head of Wing {suffix}").click()
    assert answer.value.status == 422
    expect(page.get_by_role("alert")).to_have_text("The unit's head was not saved: the head must be an active user")
    assert _head_of(web_stack, unit["id"]) is None

    # A clerk with a valid session and CSRF token is still refused: setting a head is an admin's.
    page.context.clear_cookies()
    sign_in(page, "web-clerk")
    token = page.evaluate("document.body.dataset.csrfToken")
    refused = page.request.post(f"/admin/units/{unit['id']}/head", form={"csrf_token": token, "user_id": person["id"]},
                                headers={"Accept": "text/html"})  # fmt: skip
    assert refused.status == 403
    assert _head_of(web_stack, unit["id"]) is None
