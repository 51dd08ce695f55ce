"""The admin page: units, users and tokens made and revoked in the browser; only admins get in."""

from __future__ import annotations

import uuid

import httpx
from playwright.sync_api import Page, expect

from tests.conftest import TEST_PASSWORD
from tests.web.conftest import WebStack, assert_accessible, sign_in


def test_an_admin_creates_a_unit_a_user_and_a_token_sees_the_token_once_and_revokes_it(
    page: Page, web_stack: WebStack
) -> None:
    suffix = uuid.uuid4().hex[:6]
    sign_in(page, "web-admin", "/admin")
    assert_accessible(page)
    page.get_by_label("Unit name").fill(f"Division {suffix}")
    page.get_by_label("Kind").select_option("law_office")
    page.get_by_role("button", name="Create unit").click()
    expect(page.get_by_role("status")).to_have_text("The unit was created.")
    expect(page.get_by_role("table", name="Units")).to_contain_text(f"Division {suffix}")

    page.get_by_label("New username").fill(f"clerk-{suffix}")
    page.get_by_label("Full name").fill(f"Clerk {suffix}")
    page.get_by_label("Role").select_option("clerk")
    page.get_by_label("Unit", exact=True).select_option(label=f"Division {suffix}")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Create user").click()
    users = page.get_by_role("table", name="Users")
    expect(users.get_by_role("row").filter(has_text=f"clerk-{suffix}")).to_contain_text(f"Division {suffix}")

    page.get_by_label("Token name").fill(f"scanner {suffix}")
    page.get_by_label("For user").select_option(label=f"clerk-{suffix}")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_test_id("new-token").inner_text()
    assert token.startswith("cf_")
    with httpx.Client(base_url=web_stack.base_url) as client:  # the token works, as its user
        me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["user"]["username"] == f"clerk-{suffix}"
    assert_accessible(page)
    page.goto("/admin")
    expect(page.get_by_test_id("new-token")).to_have_count(0)  # shown once only
    assert token not in page.content()
    page.get_by_role("button", name=f"Revoke token scanner {suffix} of clerk-{suffix}").click()
    expect(page.get_by_role("status")).to_have_text("The token was revoked.")
    row = page.get_by_role("table", name="Tokens").get_by_role("row").filter(has_text=f"scanner {suffix}")
    expect(row).to_contain_text("revoked")
    with httpx.Client(base_url=web_stack.base_url) as client:
        assert client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_bad_user_is_sent_back_with_the_reason(page: Page, web_stack: WebStack) -> None:
    sign_in(page, "web-admin", "/admin")
    page.get_by_label("New username").fill("web-clerk")  # taken
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("alert")).to_contain_text("the username 'web-clerk' is taken")


def test_only_admins_get_the_admin_page(page: Page, web_stack: WebStack) -> None:
    for username in ("web-clerk", "web-auditor", "other-officer"):
        page.context.clear_cookies()
        sign_in(page, username)
        expect(page.get_by_role("link", name="Admin")).to_have_count(0)
        response = page.goto("/admin")
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("Forbidden")
    assert_accessible(page)
