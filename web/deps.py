"""Who is looking at a page: the browser session cookie, and the CSRF token that every write must carry.

Pages never take bearer tokens: a browser signs in (web/pages/auth.py) and gets the same session cookie as
POST /api/v1/auth/login. A page asked for without a valid session redirects to the sign-in page.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from access import service as access_service
from access.schemas import Permission, Principal
from api.deps import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, SessionDep, client_address
from core.errors import Forbidden
from core.models import Unit, User

CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    """No valid session: web/app.py answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as the pages show them."""

    principal: Principal
    full_name: str
    unit_name: str | None
    csrf_token: str

    @property
    def role(self) -> str:
        return self.principal.role.value

    def can(self, permission: str) -> bool:
        return self.principal.can(Permission(permission))


def _next_path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


async def sent_csrf_token(request: Request) -> str | None:
    """The CSRF token a write carries: htmx sends it as a header, a plain form as a hidden field."""
    if request.method in SAFE_METHODS:
        return None
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return sent


def get_viewer(
    request: Request, session: SessionDep, sent_csrf: Annotated[str | None, Depends(sent_csrf_token)]
) -> Viewer:
    cookie = request.cookies.get(SESSION_COOKIE)
    principal = access_service.authenticate_session(session, cookie, client_address(request)) if cookie else None
    if principal is None or principal.user_id is None:
        raise SignInRequired(_next_path(request) if request.method in SAFE_METHODS else "/")
    csrf = access_service.csrf_token_of(session, principal.session_id or "") or ""
    if request.method not in SAFE_METHODS and (
        not csrf or sent_csrf is None or not secrets.compare_digest(sent_csrf, csrf)
    ):
        raise Forbidden("this form has expired or was not sent from Casefile; reload the page and try again")
    user = session.get(User, principal.user_id)
    unit = session.get(Unit, principal.unit_id) if principal.unit_id else None
    viewer = Viewer(principal, user.full_name if user else principal.name, unit.name if unit else None, csrf)
    request.state.viewer = viewer  # templates show who is signed in
    return viewer


WebViewer = Annotated[Viewer, Depends(get_viewer)]


def may(check: Callable[..., object], *args: Any) -> bool:
    """Whether a service check passes (writable_case, manageable_case, ...): Forbidden means no. For a case already
    found visible, whose checks answer 403, never 404."""
    try:
        check(*args)
    except Forbidden:
        return False
    return True
