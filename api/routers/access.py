"""People and sign-in: units, users, tokens, and the browser session."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from access import repository
from access import service as access_service
from access.schemas import (
    MeOut,
    SignedIn,
    SignIn,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UnitCreate,
    UnitOut,
    UserCreate,
    UserOut,
    UserUpdate,
)
from api.deps import SESSION_COOKIE, CurrentUser, Manager, SessionDep, SettingsDep, client_address
from api.routers.calendar import calendar_url
from litigation import service as litigation_service

router = APIRouter(tags=["access"])


@router.post("/units", status_code=status.HTTP_201_CREATED)
def create_unit(data: UnitCreate, session: SessionDep, user: Manager) -> UnitOut:
    return UnitOut.model_validate(access_service.create_unit(session, user, data.name, data.kind))


@router.get("/units")
def list_units(session: SessionDep, user: CurrentUser) -> list[UnitOut]:
    return [UnitOut.model_validate(unit) for unit in repository.list_units(session)]


@router.post("/users", status_code=status.HTTP_201_CREATED, responses={404: {"description": "no such unit"}})
def create_user(data: UserCreate, session: SessionDep, user: Manager) -> UserOut:
    return UserOut.model_validate(access_service.create_user(session, user, data))


@router.get("/users")
def list_users(session: SessionDep, user: Manager) -> list[UserOut]:
    return [UserOut.model_validate(each) for each in repository.list_users(session)]


@router.patch("/users/{user_id}", responses={404: {"description": "no such user or unit"},
                                             409: {"description": "the last active admin"}})  # fmt: skip
def update_user(user_id: str, data: UserUpdate, session: SessionDep, user: Manager) -> UserOut:
    return UserOut.model_validate(access_service.update_user(session, user, user_id, data))


@router.get("/users/me")
def me(request: Request, session: SessionDep, user: CurrentUser) -> MeOut:
    secret = litigation_service.issue_calendar_if_missing(session, user)  # decision 0022
    person = access_service.get_user(session, user.user_id) if user.user_id else None
    unit = access_service.get_unit(session, user.unit_id) if user.unit_id else None
    return MeOut(
        user=UserOut.model_validate(person) if person else None,
        role=user.role,
        unit=UnitOut.model_validate(unit) if unit else None,
        read_only=user.read_only,
        token_id=user.token_id,
        calendar_url=calendar_url(request, secret) if secret else None,
    )


@router.post("/tokens", status_code=status.HTTP_201_CREATED, responses={404: {"description": "no such user"}})
def create_token(data: TokenCreate, session: SessionDep, user: Manager) -> TokenCreated:
    token, plaintext = access_service.create_token(session, user, data)
    return TokenCreated.model_validate({**TokenOut.model_validate(token).model_dump(), "token": plaintext})


@router.get("/tokens")
def list_tokens(session: SessionDep, user: Manager) -> list[TokenOut]:
    return [TokenOut.model_validate(token) for token in repository.list_tokens(session)]


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(token_id: str, session: SessionDep, user: Manager) -> Response:
    access_service.revoke_token(session, user, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/auth/login",
    responses={
        401: {"description": "the username or password is wrong, or the account cannot sign in"},
        429: {"description": "too many failed sign-ins for this account or address; see Retry-After"},
        503: {"description": "the database is unavailable; retry later"},
    },
)
def sign_in(data: SignIn, request: Request, response: Response, session: SessionDep, settings: SettingsDep) -> SignedIn:
    person, cookie, csrf = access_service.sign_in(session, data.username, data.password, client_address(request))
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=access_service.SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return SignedIn(user=UserOut.model_validate(person), csrf_token=csrf)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(session: SessionDep, user: CurrentUser) -> Response:
    access_service.sign_out(session, user)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
