"""The admin page: units (with their heads, decision 0022), users and tokens (list, create; tokens revoked), and the
cases that carry grants (each case page adds and removes its own). The same service functions as
api/routers/access.py and api/routers/deadlines.py; admins only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from access import repository as access_repository
from access import service as access_service
from access.schemas import TokenCreate, UnitCreate, UserCreate
from api.deps import SessionDep
from cases import overview
from core.errors import CasefileError, Forbidden
from core.models import Role, UnitKind, User
from litigation import service as litigation_service
from web.deps import Viewer, WebViewer
from web.templating import render

router = APIRouter()
Text = Annotated[str, Form(max_length=1000)]


def require_admin(viewer: Viewer) -> None:
    if not viewer.can("manage"):
        raise Forbidden(f"the {viewer.role} role may not manage units, users and tokens")


def unit_members(users: Sequence[User]) -> dict[str, list[User]]:
    """Each unit's active users by name: those its head may be chosen from."""
    members: dict[str, list[User]] = defaultdict(list)
    for user in sorted(users, key=lambda each: (each.full_name.casefold(), each.username)):
        if user.active:
            members[user.unit_id].append(user)
    return members


def admin_page(request: Request, session: Session, viewer: Viewer, status: int = 200, **extra: Any) -> Response:
    users = access_repository.list_users(session)
    return render(
        request, "admin.html", status_code=status, active="admin", units=access_repository.list_units(session),
        users=users, people={user.id: user for user in users}, tokens=access_repository.list_tokens(session),
        members=unit_members(users),
        granted=overview.granted_cases(session, viewer.principal), roles=list(Role), kinds=list(UnitKind),
        **({"error": None, "notice": None, "new_token": None} | extra),
    )  # fmt: skip


def invalid(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'form'}: {item['msg']}" for item in error.errors()
    )


@router.get("/admin")
def admin(request: Request, session: SessionDep, viewer: WebViewer, done: str = "") -> Response:
    require_admin(viewer)
    notices = {"unit": "The unit was created.", "user": "The user was created.", "revoked": "The token was revoked.",
               "head": "The unit's head was saved.", "no-head": "The unit has no head now."}  # fmt: skip
    return admin_page(request, session, viewer, notice=notices.get(done))


@router.post("/admin/units")
def create_unit(
    request: Request, session: SessionDep, viewer: WebViewer, name: Text = "", kind: Text = "other"
) -> Response:
    require_admin(viewer)
    try:
        data = UnitCreate.model_validate({"name": name, "kind": kind})
        access_service.create_unit(session, viewer.principal, data.name, data.kind)
    except ValidationError as error:
        return admin_page(request, session, viewer, 422, error=f"The unit was not created: {invalid(error)}")
    except CasefileError as error:
        if error.status_code >= 500:
            raise
        return admin_page(
            request, session, viewer, error.status_code, error=f"The unit was not created: {error.detail}"
        )
    return RedirectResponse("/admin?done=unit#units", status_code=303)


@router.post("/admin/units/{unit_id}/head")
def set_unit_head(
    request: Request, unit_id: str, session: SessionDep, viewer: WebViewer, user_id: Text = ""
) -> Response:
    """The unit's head, to whom its people's overdue deadlines escalate (decision 0022); empty clears it. The same
    service as PUT /api/v1/units/{id}/head, which audits it (unit.head)."""
    require_admin(viewer)
    access_service.get_unit(session, unit_id)  # no such unit: the page's 404
    try:
        litigation_service.set_unit_head(session, viewer.principal, unit_id, user_id.strip() or None)
    except CasefileError as error:
        if error.status_code >= 500:
            raise
        # A user gone since the page was drawn (or deactivated) is the form's mistake here, not a missing page.
        status = 422 if error.status_code == 404 else error.status_code
        return admin_page(request, session, viewer, status, error=f"The unit's head was not saved: {error.detail}")
    return RedirectResponse(f"/admin?done={'head' if user_id.strip() else 'no-head'}#units", status_code=303)


@router.post("/admin/users")
def create_user(
    request: Request,
    session: SessionDep,
    viewer: WebViewer,
    username: Text = "",
    full_name: Text = "",
    role: Text = "",
    unit_id: Text = "",
    password: Text = "",
) -> Response:
    require_admin(viewer)
    try:
        data = UserCreate.model_validate({"username": username, "full_name": full_name or None, "role": role,
                                          "unit_id": unit_id, "password": password or None})  # fmt: skip
        access_service.create_user(session, viewer.principal, data)
    except ValidationError as error:
        return admin_page(request, session, viewer, 422, error=f"The user was not created: {invalid(error)}")
    except CasefileError as error:
        if error.status_code >= 500:
            raise
        return admin_page(
            request, session, viewer, error.status_code, error=f"The user was not created: {error.detail}"
        )
    return RedirectResponse("/admin?done=user#users", status_code=303)


@router.post("/admin/tokens")
def create_token(
    request: Request,
    session: SessionDep,
    viewer: WebViewer,
    name: Text = "",
    user_id: Text = "",
    expires_in_days: Text = "",
    read_only: Text = "",
) -> Response:
    """The new token is shown on this answer only (stored as a hash): never in a redirect's URL."""
    require_admin(viewer)
    try:
        data = TokenCreate.model_validate({"name": name, "user_id": user_id or None, "read_only": bool(read_only),
                                           "expires_in_days": expires_in_days or None})  # fmt: skip
        token, plaintext = access_service.create_token(session, viewer.principal, data)
    except ValidationError as error:
        return admin_page(request, session, viewer, 422, error=f"The token was not created: {invalid(error)}")
    except CasefileError as error:
        if error.status_code >= 500:
            raise
        return admin_page(
            request, session, viewer, error.status_code, error=f"The token was not created: {error.detail}"
        )
    page = admin_page(request, session, viewer, new_token={"name": token.name, "plaintext": plaintext})
    page.headers["Cache-Control"] = "no-store"  # the one copy of the secret must not stay in a cache
    return page


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(token_id: str, session: SessionDep, viewer: WebViewer) -> Response:
    require_admin(viewer)
    access_service.revoke_token(session, viewer.principal, token_id)
    return RedirectResponse("/admin?done=revoked#tokens", status_code=303)
