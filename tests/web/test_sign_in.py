"""Signing in and out in the browser, and what the sign-in page refuses."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import TEST_PASSWORD
from tests.web.conftest import WebStack, assert_accessible, sign_in


def test_sign_in_shows_who_and_their_unit_then_sign_out(page: Page, web_stack: WebStack) -> None:
    page.goto("/")
    expect(page).to_have_url(f"{web_stack.base_url}/sign-in")  # a page needs a session
    assert_accessible(page)
    sign_in(page, "web-clerk")
    expect(page.get_by_test_id("signed-in-as")).to_have_text("Web Clerk")
    expect(page.locator(".who-detail")).to_contain_text("clerk · Ministry of Test")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{web_stack.base_url}/sign-in")
    page.goto("/")
    expect(page).to_have_url(f"{web_stack.base_url}/sign-in")  # the session is gone, not just the cookie


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(page: Page, web_stack: WebStack) -> None:
    page.goto("/sign-in")
    page.get_by_label("Username").fill("web-officer")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The username or password is wrong.")
    page.get_by_label("Username").fill("nobody-at-all")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The username or password is wrong.")


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(page: Page, web_stack: WebStack) -> None:
    page.goto("/?view=hearings")
    expect(page).to_have_url(f"{web_stack.base_url}/sign-in?next=%2F%3Fview%3Dhearings")
    page.goto("/sign-in?next=//evil.example/")
    page.get_by_label("Username").fill("web-focal")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{web_stack.base_url}/")


@pytest.mark.parametrize("token", ["", "forged-token"])
def test_a_form_without_the_right_csrf_token_is_refused_with_403(web_stack: WebStack, token: str) -> None:
    with httpx.Client(base_url=web_stack.base_url) as client:
        response = client.post("/sign-in", data={"username": "web-admin", "password": TEST_PASSWORD})
        assert response.status_code == 303 and "casefile_session" in client.cookies
        refused = client.post("/sign-out", data={"csrf_token": token} if token else {}, headers={"Accept": "text/html"})
        assert refused.status_code == 403
        assert "reload the page" in refused.text
        assert client.get("/", follow_redirects=False).status_code == 200  # still signed in: the forgery did nothing
