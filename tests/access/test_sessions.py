"""Sign-in, browser sessions and tokens (issue 9): CSRF, throttling, immediate revocation, and the "bad input and
attacks" list: vague 401s, mass assignment, and ids that do not belong to the path they are sent on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from fastapi.testclient import TestClient
from sqlalchemy import select

from access import service as access_service
from access.schemas import SYSTEM, TokenCreate
from api.deps import CSRF_HEADER, SESSION_COOKIE
from api.main import create_app
from core.models import ApiToken, BrowserSession, Role, utcnow
from core.uow import unit_of_work
from tests.conftest import BOOTSTRAP_TOKEN, TEST_PASSWORD, Api, open_api
from tests.stacks import embedded_settings

LOGIN = "/api/v1/auth/login"
CASE = {"number": "S.T. 1 of 2025", "title": "Session v. Token", "court": "Lahore High Court"}
PROBLEM_JSON = "application/problem+json"


def sign_in(client: TestClient, username: str = "test-clerk", password: str = TEST_PASSWORD) -> httpx.Response:
    return client.post(LOGIN, json={"username": username, "password": password})


def session_cookie(response: httpx.Response) -> str:
    """The Set-Cookie header that carries the session."""
    cookies = [value for value in response.headers.get_list("set-cookie") if value.startswith(f"{SESSION_COOKIE}=")]
    assert len(cookies) == 1, response.headers
    return cookies[0]


def cookie_value(response: httpx.Response) -> str:
    return session_cookie(response).split(";", 1)[0].split("=", 1)[1]


def with_cookie(value: str) -> dict[str, str]:
    """The session cookie as a header, as a browser sends it (the client's own jar is cleared first)."""
    return {"Cookie": f"{SESSION_COOKIE}={value}"}


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = dict(response.json())
    assert body["status"] == status
    return body


def without_instance(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "instance"}


@contextmanager
def from_address(api: Api, host: str) -> Iterator[TestClient]:
    """A second client on the same running app, calling from another address (the app's lifespan already ran)."""
    with TestClient(api.client.app, client=(host, 40000)) as client:
        yield client


def token_of_clerk(api: Api, **fields: Any) -> tuple[ApiToken, str]:
    with unit_of_work(api.settings) as session:
        token, plaintext = access_service.create_token(
            session, SYSTEM, TokenCreate(name="session-test", user_id=api.user_ids[Role.clerk], **fields)
        )
        return token, plaintext


def expire(api: Api, token_id: str) -> None:
    with unit_of_work(api.settings) as session:
        token = session.get(ApiToken, token_id)
        assert token is not None
        token.expires_at = utcnow() - timedelta(minutes=1)


def revoke(api: Api, token_id: str) -> None:
    with unit_of_work(api.settings) as session:
        access_service.revoke_token(session, SYSTEM, token_id)


def case_numbers(api: Api) -> set[str]:
    response = api.get("/api/v1/cases", params={"size": 100})
    assert response.status_code == 200, response.text
    return {item["number"] for item in response.json()["items"]}


# --- the browser session -----------------------------------------------------------------------------------------


def test_sign_in_sets_an_httponly_samesite_lax_cookie(api: Api) -> None:
    response = sign_in(api.client)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["username"] == "test-clerk" and body["user"]["role"] == "clerk"
    attributes = [part.strip().lower() for part in session_cookie(response).split(";")[1:]]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert "secure" not in attributes  # CASEFILE_COOKIE_SECURE is off by default (plain HTTP on loopback)
    value = cookie_value(response)
    assert len(value) >= 32 and value != body["csrf_token"] and value not in response.text  # never in the body
    api.client.cookies.clear()
    me = api.client.get("/api/v1/users/me", headers=with_cookie(value))
    assert me.status_code == 200, me.text
    assert me.json()["user"]["username"] == "test-clerk" and me.json()["token_id"] is None


def test_the_cookie_is_secure_when_configured(tmp_path: Path) -> None:
    with open_api(embedded_settings(tmp_path, BOOTSTRAP_TOKEN, cookie_secure=True)) as api:
        attributes = [part.strip().lower() for part in session_cookie(sign_in(api.client)).split(";")]
    assert "secure" in attributes


def test_a_write_with_the_cookie_needs_the_csrf_token(api: Api) -> None:
    signed_in = sign_in(api.client)
    csrf, cookie = signed_in.json()["csrf_token"], with_cookie(cookie_value(signed_in))
    other_session_csrf = sign_in(api.client).json()["csrf_token"]  # a second session of the same user
    api.client.cookies.clear()

    def create(number: str, headers: dict[str, str]) -> httpx.Response:
        return api.client.post("/api/v1/cases", json=CASE | {"number": number}, headers=headers | cookie)

    problem(create("CSRF 1", {}), 403)
    problem(create("CSRF 2", {CSRF_HEADER: "not-the-token"}), 403)
    problem(create("CSRF 3", {CSRF_HEADER: other_session_csrf}), 403)  # another session's token does not do
    assert not {"CSRF 1", "CSRF 2", "CSRF 3"} & case_numbers(api)

    created = create("CSRF 4", {CSRF_HEADER: csrf})
    assert created.status_code == 201, created.text
    assert created.json()["unit_id"] == api.unit_id
    # A write without a body (reprocess, sign-out) needs it too: a forged sign-out is refused.
    problem(api.client.post("/api/v1/auth/logout", headers=cookie), 403)
    assert api.client.get("/api/v1/users/me", headers=cookie).status_code == 200  # still signed in
    # Reads need no CSRF token, and a bearer token needs none (it is not sent by a browser on its own).
    assert api.client.get(f"/api/v1/cases/{created.json()['id']}", headers=cookie).status_code == 200
    assert api.post("/api/v1/cases", role=Role.clerk, json=CASE | {"number": "CSRF 5"}).status_code == 201


def test_sign_out_revokes_the_session(api: Api) -> None:
    signed_in = sign_in(api.client)
    csrf, cookie = signed_in.json()["csrf_token"], with_cookie(cookie_value(signed_in))
    api.client.cookies.clear()
    out = api.client.post("/api/v1/auth/logout", headers={CSRF_HEADER: csrf} | cookie)
    assert out.status_code == 204, out.text
    assert session_cookie(out).split(";", 1)[0] in (f"{SESSION_COOKIE}=", f'{SESSION_COOKIE}=""')  # cleared
    api.client.cookies.clear()
    problem(api.client.get("/api/v1/users/me", headers=cookie), 401)
    # A write with a body is refused before the body is read (api/limits.py), with or without the CSRF token.
    problem(api.client.post("/api/v1/cases", json=CASE, headers={CSRF_HEADER: csrf} | cookie), 401)


def test_an_expired_session_is_refused(api: Api) -> None:
    signed_in = sign_in(api.client)
    value = cookie_value(signed_in)
    api.client.cookies.clear()
    assert api.client.get("/api/v1/users/me", headers=with_cookie(value)).status_code == 200
    with unit_of_work(api.settings) as session:
        browser = session.scalars(
            select(BrowserSession).where(BrowserSession.session_hash == access_service.hash_token(value))
        ).one()
        browser.expires_at = utcnow() - timedelta(minutes=1)
    problem(api.client.get("/api/v1/users/me", headers=with_cookie(value)), 401)
    csrf = {CSRF_HEADER: signed_in.json()["csrf_token"]}
    problem(api.client.post("/api/v1/cases", json=CASE, headers=csrf | with_cookie(value)), 401)


# --- one vague 401 for every bad credential ----------------------------------------------------------------------


def test_wrong_password_and_unknown_user_get_the_same_401(api: Api) -> None:
    wrong = problem(sign_in(api.client, password="not the password at all"), 401)
    unknown = problem(sign_in(api.client, username="no-such-person"), 401)
    other = problem(sign_in(api.client, username="test-auditor", password="x" * 12), 401)
    assert without_instance(wrong) == without_instance(unknown) == without_instance(other)
    for response in (sign_in(api.client, password="not the password at all"), sign_in(api.client, username="ghost")):
        assert not response.headers.get_list("set-cookie"), response.headers  # no session for a failed sign-in
    assert "test-clerk" not in wrong["detail"] and "no-such-person" not in unknown["detail"]


def bad_token_headers(api: Api) -> dict[str, dict[str, str]]:
    expired, expired_plain = token_of_clerk(api, expires_in_days=1)
    expire(api, expired.id)
    revoked, revoked_plain = token_of_clerk(api)
    revoke(api, revoked.id)
    return {
        "expired": {"Authorization": f"Bearer {expired_plain}"},
        "revoked": {"Authorization": f"Bearer {revoked_plain}"},
        "unknown": {"Authorization": "Bearer cf_this-token-was-never-issued-0123456789"},
        "session": {"Cookie": f"{SESSION_COOKIE}=not-a-session-anyone-has"},
    }


def test_every_bad_credential_gets_the_same_401(api: Api) -> None:
    """No token, an expired, revoked or unknown one, a dead session cookie, a token in the URL: one answer, on a
    read (the route's dependency answers) and on a write with a body (the body-limit middleware answers first)."""
    credentials = bad_token_headers(api) | {"none": {}}
    bodies: dict[str, dict[str, Any]] = {}
    for name, headers in credentials.items():
        for write in (False, True):
            api.client.cookies.clear()
            if write:
                response = api.client.post("/api/v1/cases", json=CASE, headers=headers)
            else:
                response = api.client.get("/api/v1/cases", headers=headers)
            bodies[f"{name}, {'write' if write else 'read'}"] = without_instance(problem(response, 401))
            assert response.headers.get("www-authenticate") == "Bearer"
    in_url = api.client.get("/api/v1/cases", params={"token": api.tokens[Role.clerk]})
    bodies["valid token in the URL"] = without_instance(problem(in_url, 401))
    assert len({repr(sorted(body.items())) for body in bodies.values()}) == 1, bodies


def test_a_token_in_the_url_is_refused(api: Api) -> None:
    valid = api.tokens[Role.clerk]
    for params, headers in (
        ({"token": valid}, {}),  # the token only in the URL
        ({"access_token": valid}, api.headers(Role.clerk)),  # in the URL beside a good header: refused still
        ({"api_key": "cf_never-issued-0123456789"}, {}),
    ):
        response = api.client.get("/api/v1/cases", params=params, headers=headers)
        assert valid not in problem(response, 401)["detail"]
    good_in_url = api.client.get("/api/v1/cases", params={"token": valid})
    bad_in_url = api.client.get("/api/v1/cases", params={"token": "cf_never-issued-0123456789"})
    assert without_instance(problem(good_in_url, 401)) == without_instance(problem(bad_in_url, 401))


# --- throttling -------------------------------------------------------------------------------------------------


def retry_after(response: httpx.Response) -> int:
    problem(response, 429)
    seconds = int(response.headers["retry-after"])
    assert 0 < seconds <= int(access_service.THROTTLE_WINDOW.total_seconds()) + 1
    return seconds


def test_failed_sign_ins_are_throttled_per_account(api: Api) -> None:
    for _ in range(access_service.MAX_FAILURES_PER_ACCOUNT):
        problem(sign_in(api.client, password="wrong password, again"), 401)
    throttled = sign_in(api.client)  # the sixth: refused even with the right password
    retry_after(throttled)
    assert not throttled.headers.get_list("set-cookie")
    with from_address(api, "192.0.2.77") as elsewhere:  # the account is throttled from any address
        retry_after(sign_in(elsewhere))
    ok = sign_in(api.client, username="test-officer")  # other accounts are not
    assert ok.status_code == 200, ok.text
    # An account that does not exist is throttled the same way: throttling tells nothing about who exists.
    for _ in range(access_service.MAX_FAILURES_PER_ACCOUNT):
        problem(sign_in(api.client, username="nobody-here"), 401)
    nobody = sign_in(api.client, username="nobody-here")
    retry_after(nobody)
    assert without_instance(nobody.json()) == without_instance(throttled.json())


def test_failed_sign_ins_are_throttled_per_address(api: Api) -> None:
    with from_address(api, "198.51.100.9") as prober, from_address(api, "203.0.113.5") as neighbour:
        for attempt in range(access_service.MAX_FAILURES_PER_ADDRESS):  # never 5 for one account
            problem(sign_in(prober, username=f"guess-{attempt}", password="wrong password"), 401)
        retry_after(sign_in(prober))  # a real account, the right password: the address is throttled
        ok = sign_in(neighbour)  # the same account from another address
        assert ok.status_code == 200, ok.text


# --- revocation --------------------------------------------------------------------------------------------------


def test_revoking_a_token_stops_it_at_once(api: Api) -> None:
    created = api.post("/api/v1/tokens", json={"name": "laptop", "user_id": api.user_ids[Role.clerk]})
    assert created.status_code == 201, created.text
    token_id, bearer = created.json()["id"], {"Authorization": f"Bearer {created.json()['token']}"}
    assert api.client.get("/api/v1/cases", headers=bearer).status_code == 200

    revoked = api.client.delete(f"/api/v1/tokens/{token_id}", headers=api.headers())
    assert revoked.status_code == 204, revoked.text
    problem(api.client.get("/api/v1/cases", headers=bearer), 401)
    problem(api.client.post("/api/v1/cases", json=CASE, headers=bearer), 401)  # the middleware's check too
    listed = {token["id"]: token for token in api.get("/api/v1/tokens").json()}
    assert listed[token_id]["revoked_at"] is not None
    problem(api.client.delete("/api/v1/tokens/00000000-0000-0000-0000-000000000000", headers=api.headers()), 404)
    # A user's own token cannot revoke tokens (managing tokens is the admin's).
    problem(api.client.delete(f"/api/v1/tokens/{token_id}", headers=api.headers(Role.clerk)), 403)


# --- mass assignment and tampering ------------------------------------------------------------------------------


def other_unit(api: Api) -> str:
    response = api.post("/api/v1/units", json={"name": "Ministry of Elsewhere", "kind": "ministry"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_clerk_may_not_create_a_case_for_another_unit(api: Api) -> None:
    elsewhere = other_unit(api)
    problem(api.post("/api/v1/cases", role=Role.clerk, json=CASE | {"unit_id": elsewhere}), 403)
    assert CASE["number"] not in case_numbers(api)
    own = api.post("/api/v1/cases", role=Role.clerk, json=CASE | {"unit_id": api.unit_id})
    assert own.status_code == 201 and own.json()["unit_id"] == api.unit_id, own.text
    by_default = api.post("/api/v1/cases", role=Role.clerk, json=CASE | {"number": "S.T. 2 of 2025"})
    assert by_default.status_code == 201 and by_default.json()["unit_id"] == api.unit_id, by_default.text


@pytest.mark.parametrize(
    "extra",
    [{"role": "admin"}, {"sealed": True}, {"seal_reason": "x"}, {"id": "chosen-id"}, {"grants": []},
     {"assignments": [{"user_id": "x"}]}, {"created_at": "2020-01-01T00:00:00Z"}],
    ids=lambda extra: next(iter(extra)),
)  # fmt: skip
def test_unknown_fields_on_case_create_are_refused(api: Api, extra: dict[str, Any]) -> None:
    body = problem(api.post("/api/v1/cases", role=Role.clerk, json=CASE | extra), 422)
    assert any(next(iter(extra)) in map(str, error["loc"]) for error in body["errors"]), body
    assert CASE["number"] not in case_numbers(api)


def test_fields_that_move_a_case_or_document_are_refused(api: Api) -> None:
    elsewhere = other_unit(api)
    case = api.create_case()
    problem(api.patch(f"/api/v1/cases/{case['id']}", role=Role.clerk, json={"unit_id": elsewhere}), 422)
    uploaded = api.upload(case["id"], "note.txt", b"A note.\n")
    assert uploaded.status_code == 202, uploaded.text
    other_case = api.create_case("W.P. No. 2 of 2024")
    moved = api.patch(f"/api/v1/documents/{uploaded.json()['id']}", role=Role.clerk, json={"case_id": other_case["id"]})
    problem(moved, 422)
    assert api.get(f"/api/v1/cases/{case['id']}").json()["unit_id"] == api.unit_id
    assert api.get(f"/api/v1/documents/{uploaded.json()['id']}").json()["case_id"] == case["id"]
    # A clerk cannot make users (nor make themselves an admin), nor tokens.
    user = {"username": "sneaky", "role": "admin", "unit_id": api.unit_id, "password": TEST_PASSWORD}
    problem(api.post("/api/v1/users", role=Role.clerk, json=user), 403)
    problem(api.post("/api/v1/tokens", role=Role.clerk, json={"name": "x", "role": "admin"}), 403)
    assert api.get("/api/v1/users/me", role=Role.clerk).json()["role"] == "clerk"


def test_grant_and_assignment_ids_belong_to_their_case(api: Api) -> None:
    mine, theirs = api.create_case("OWN 1"), api.create_case("OWN 2")
    foreign = api.create_case("FOREIGN 1", unit_id=other_unit(api))
    grants: dict[str, str] = {}
    for case in (theirs, foreign):
        response = api.post(f"/api/v1/cases/{case['id']}/grants", json={"user_id": api.user_ids[Role.client]})
        assert response.status_code == 201, response.text
        grants[case["id"]] = response.json()["id"]
    assigned = api.post(f"/api/v1/cases/{foreign['id']}/assignments", json={"user_id": api.user_ids[Role.officer]})
    assert assigned.status_code == 201, assigned.text

    for role in (Role.admin, Role.clerk):  # the clerk may keep the grants of their unit's cases
        for grant in grants.values():
            problem(api.client.delete(f"/api/v1/cases/{mine['id']}/grants/{grant}", headers=api.headers(role)), 404)
        url = f"/api/v1/cases/{mine['id']}/assignments/{assigned.json()['id']}"
        problem(api.client.delete(url, headers=api.headers(role)), 404)
    # The clerk's own unit's grant id on the foreign case's path: the case is not theirs to see.
    url = f"/api/v1/cases/{foreign['id']}/grants/{grants[foreign['id']]}"
    problem(api.client.delete(url, headers=api.headers(Role.clerk)), 404)
    for case in (theirs, foreign):
        assert [grant["id"] for grant in api.get(f"/api/v1/cases/{case['id']}").json()["grants"]] == [
            grants[case["id"]]
        ]
    assert len(api.get(f"/api/v1/cases/{foreign['id']}").json()["assignments"]) == 1
    # A case id in the body does not move a grant to that case.
    body = {"user_id": api.user_ids[Role.focal_person], "case_id": foreign["id"]}
    response = api.post(f"/api/v1/cases/{mine['id']}/grants", role=Role.clerk, json=body)
    assert response.status_code in (201, 422), response.text
    foreign_grants = api.get(f"/api/v1/cases/{foreign['id']}").json()["grants"]
    assert all(grant["user_id"] != body["user_id"] for grant in foreign_grants)


# --- the bootstrap token -------------------------------------------------------------------------------------


def test_a_bootstrap_token_ignored_because_an_admin_exists_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_api(embedded_settings(tmp_path, BOOTSTRAP_TOKEN)):
        pass  # the first start: the bootstrap token becomes the admin
    # structlog caches a logger on first use, with the stream of its time (an earlier test's): a fresh one
    # writes to this test's stderr through the app's own logging set-up.
    monkeypatch.setattr(access_service, "log", structlog.get_logger(access_service.__name__))
    capsys.readouterr()
    second = "cf_a-second-bootstrap-token-9876543210"
    with TestClient(create_app(embedded_settings(tmp_path, second))) as client:
        problem(client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {second}"}), 401)
        first = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"})
        assert first.status_code == 200 and first.json()["role"] == "admin"
    warnings = [line for line in capsys.readouterr().err.splitlines() if "bootstrap_token.ignored" in line]
    assert len(warnings) == 1, warnings
    assert "warning" in warnings[0] and "CASEFILE_BOOTSTRAP_TOKEN" in warnings[0]
    assert second not in warnings[0]  # the secret itself is never logged


def test_a_bootstrap_token_on_an_empty_install_is_not_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(access_service, "log", structlog.get_logger(access_service.__name__))
    with open_api(embedded_settings(tmp_path, BOOTSTRAP_TOKEN)) as api:
        assert api.get("/api/v1/users/me").json()["role"] == "admin"
    with TestClient(create_app(embedded_settings(tmp_path, BOOTSTRAP_TOKEN))):
        pass  # the same token again: already the admin, nothing to say
    assert "bootstrap_token.ignored" not in capsys.readouterr().err
