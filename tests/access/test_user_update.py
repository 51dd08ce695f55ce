"""Admins change a person's name, role, unit and whether they may sign in; role changes are in the audit trail."""

from __future__ import annotations

from core.models import Role
from tests.conftest import TEST_PASSWORD, Api


def test_a_role_change_takes_effect_at_once_and_is_recorded(stack_api: Api) -> None:
    clerk_id = stack_api.user_ids[Role.clerk]
    case = {"number": "1", "title": "t", "court": "c"}
    assert stack_api.post("/api/v1/cases", role=Role.clerk, json=case).status_code == 201
    changed = stack_api.patch(f"/api/v1/users/{clerk_id}", json={"role": "focal_person"})
    assert changed.status_code == 200 and changed.json()["role"] == "focal_person"
    # The same token now acts as a focal person, who may not write.
    refused = stack_api.post("/api/v1/cases", role=Role.clerk, json=case | {"number": "2"})
    assert refused.status_code == 403
    events = stack_api.get("/api/v1/audit", params={"action": "user.role_change", "target_id": clerk_id}).json()
    assert [(item["detail"]["previous"], item["detail"]["role"]) for item in events["items"]] == [
        ("clerk", "focal_person")
    ]


def test_a_deactivated_person_is_signed_out_everywhere(stack_api: Api) -> None:
    clerk_id = stack_api.user_ids[Role.clerk]
    signed_in = stack_api.client.post("/api/v1/auth/login", json={"username": "test-clerk", "password": TEST_PASSWORD})
    assert signed_in.status_code == 200
    assert stack_api.patch(f"/api/v1/users/{clerk_id}", json={"active": False}).status_code == 200
    assert stack_api.get("/api/v1/users/me", role=Role.clerk).status_code == 401  # the token
    assert stack_api.client.get("/api/v1/users/me", headers={}).status_code == 401  # the cookie


def test_the_last_admin_cannot_be_demoted_and_others_cannot_change_people(stack_api: Api) -> None:
    admin = stack_api.post(
        "/api/v1/users",
        json={"username": "only-admin", "role": "admin", "unit_id": stack_api.unit_id, "password": TEST_PASSWORD},
    ).json()
    for role in (Role.clerk, Role.officer, Role.focal_person, Role.auditor, Role.client):
        response = stack_api.patch(f"/api/v1/users/{admin['id']}", role=role, json={"role": "client"})
        assert response.status_code == 403, (role, response.text)
    assert stack_api.patch("/api/v1/users/no-such-user", json={"full_name": "x"}).status_code == 404
    bad = stack_api.patch(f"/api/v1/users/{admin['id']}", json={"username": "renamed"})
    assert bad.status_code == 422  # the username cannot be changed this way (mass assignment)
    # With the bootstrap token revoked, the admin user is the last admin: it may not demote or deactivate itself.
    token = stack_api.post("/api/v1/tokens", json={"name": "own", "user_id": admin["id"]}).json()["token"]
    own = {"Authorization": f"Bearer {token}"}
    bootstrap = stack_api.get("/api/v1/users/me").json()["token_id"]
    assert stack_api.client.delete(f"/api/v1/tokens/{bootstrap}", headers=own).status_code == 204
    for change in ({"role": "clerk"}, {"active": False}):
        refused = stack_api.client.patch(f"/api/v1/users/{admin['id']}", headers=own, json=change)
        assert refused.status_code == 409 and "last active admin" in refused.json()["detail"], refused.text
    renamed = stack_api.client.patch(f"/api/v1/users/{admin['id']}", headers=own, json={"full_name": "Section Head"})
    assert renamed.status_code == 200 and renamed.json()["full_name"] == "Section Head"
