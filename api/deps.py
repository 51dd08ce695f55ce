"""Request dependencies as Annotated aliases: the unit of work, the caller, the access checks, the backends.

Every route that touches a case or a document takes it through VisibleCase, WritableCase or VisibleDocument,
so no route can forget the walls: a case the caller may not see is a 404, the same as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from access import service as access_service
from access.schemas import Permission, Principal
from cases import service as cases_service
from core.backends import Backends
from core.config import Settings
from core.errors import Forbidden, InvalidInput, Unauthorized
from core.models import Case, Document
from core.uow import unit_of_work
from ingest import service as documents_service
from workers.base import TaskQueue

SESSION_COOKIE = "casefile_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
URL_TOKEN_PARAMETERS = ("token", "access_token", "api_key", "apikey")
NOT_AUTHENTICATED = "sign in, or send a valid API token as 'Authorization: Bearer <token>'"


def get_backends(request: Request) -> Backends:
    backends: Backends = request.app.state.backends
    return backends


def get_queue(request: Request) -> TaskQueue:
    task_queue: TaskQueue = request.app.state.task_queue
    return task_queue


BackendsDep = Annotated[Backends, Depends(get_backends)]
QueueDep = Annotated[TaskQueue, Depends(get_queue)]


def get_settings_dep(backends: BackendsDep) -> Settings:
    return backends.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(request: Request, settings: SettingsDep, task_queue: QueueDep) -> Iterator[Session]:
    """One unit of work per request. scope="function" ends it when the handler returns, BEFORE the response is
    sent: a client that reads right after a write always sees it (the default ends it after sending)."""
    if _has_nul(request):  # refused before any query: PostgreSQL cannot take NUL in text (a 500 otherwise)
        raise InvalidInput("the address contains a NUL character")
    with unit_of_work(settings, task_queue) as session:
        yield session


def _has_nul(request: Request) -> bool:
    # The path arrives percent-decoded; the query string raw, where a NUL can only be "%00" (the server refuses a
    # raw NUL byte). Read from the scope: building request.url costs more than the check.
    return "\x00" in request.scope["path"] or b"%00" in request.scope["query_string"]


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
bearer = HTTPBearer(auto_error=False)
session_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def get_current_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    cookie: Annotated[str | None, Depends(session_cookie)],
) -> Principal:
    """A bearer token, or a browser session cookie whose writes carry the CSRF token. One vague 401 for every
    way of failing, so that a probe learns nothing about which tokens or accounts exist."""
    address = client_address(request)
    principal = None
    # A token in the URL ends in logs and browser history: it is refused, with the same vague answer.
    if any(name in request.query_params for name in URL_TOKEN_PARAMETERS):
        principal = None
    elif credentials is not None and credentials.scheme.lower() == "bearer":
        principal = access_service.authenticate_token(session, credentials.credentials, address)
    elif credentials is None and cookie:
        principal = access_service.authenticate_session(session, cookie, address)
        if principal is not None and request.method not in SAFE_METHODS:
            expected = access_service.csrf_token_of(session, principal.session_id or "")
            if not expected or request.headers.get(CSRF_HEADER) != expected:
                raise Forbidden(f"a write with the session cookie needs the {CSRF_HEADER} header")
    if principal is None:
        raise Unauthorized(NOT_AUTHENTICATED)
    return principal


CurrentUser = Annotated[Principal, Depends(get_current_user)]


def require(permission: Permission) -> Callable[[Principal], Principal]:
    def check(user: CurrentUser) -> Principal:
        if not user.can(permission):
            raise Forbidden(f"the {user.role.value} role may not {permission.value}")
        return user

    return check


Reader = Annotated[Principal, Depends(require(Permission.read))]
Downloader = Annotated[Principal, Depends(require(Permission.download))]
Writer = Annotated[Principal, Depends(require(Permission.write))]
Manager = Annotated[Principal, Depends(require(Permission.manage))]
AuditReader = Annotated[Principal, Depends(require(Permission.audit))]


def get_visible_case(case_id: str, session: SessionDep, user: CurrentUser) -> Case:
    return cases_service.visible_case(session, user, case_id)


def get_writable_case(case_id: str, session: SessionDep, user: Writer) -> Case:
    return cases_service.writable_case(session, user, case_id)


def get_manageable_case(case_id: str, session: SessionDep, user: CurrentUser) -> Case:
    return cases_service.manageable_case(session, user, case_id)


def get_visible_document(document_id: str, session: SessionDep, user: CurrentUser) -> Document:
    return documents_service.visible_document(session, user, document_id)


VisibleCase = Annotated[Case, Depends(get_visible_case)]
WritableCase = Annotated[Case, Depends(get_writable_case)]
ManageableCase = Annotated[Case, Depends(get_manageable_case)]
VisibleDocument = Annotated[Document, Depends(get_visible_document)]
