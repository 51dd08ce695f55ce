"""Request dependencies as Annotated aliases: the session, the caller, and the backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from access import service as access_service
from access.schemas import Permission, Principal
from core.backends import Backends
from core.config import Settings
from core.errors import Forbidden, Unauthorized
from core.uow import unit_of_work
from workers.base import TaskQueue


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


def get_session(settings: SettingsDep, task_queue: QueueDep) -> Iterator[Session]:
    """One unit of work per request. scope="function" ends it when the handler returns, BEFORE the response is
    sent: a client that reads right after a write always sees it (the default ends it after sending)."""
    with unit_of_work(settings, task_queue) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
bearer = HTTPBearer(auto_error=False)


def get_current_user(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send an API token as 'Authorization: Bearer <token>'")
    principal = access_service.authenticate(session, credentials.credentials)
    if principal is None:
        raise Unauthorized("the API token is not valid or has been revoked")
    return principal


CurrentUser = Annotated[Principal, Depends(get_current_user)]


def require(permission: Permission) -> Callable[[Principal], Principal]:
    def check(user: CurrentUser) -> Principal:
        if not user.can(permission):
            raise Forbidden(f"the {user.role.value} role may not {permission.value}")
        return user

    return check


Reader = Annotated[Principal, Depends(require(Permission.read))]
Searcher = Annotated[Principal, Depends(require(Permission.search))]
Downloader = Annotated[Principal, Depends(require(Permission.download))]
Writer = Annotated[Principal, Depends(require(Permission.write))]
