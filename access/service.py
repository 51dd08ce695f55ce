"""Units, users, tokens, browser sessions and sign-in throttling: who the caller is."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from access import audit, repository
from access.schemas import (
    CONTROL_CHARACTERS,
    Permission,
    Principal,
    TokenCreate,
    UserCreate,
    UserUpdate,
    has_control_characters,
)
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthorized
from core.models import ApiToken, BrowserSession, Role, SignInFailure, Unit, UnitKind, User, utcnow

log = structlog.get_logger(__name__)
TOKEN_PREFIX = "cf_"
SESSION_HOURS = 12
# Sign-in throttling: failures counted over a window, per account and per address.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
passwords = PasswordHasher()  # Argon2id with argon2-cffi's current recommended parameters
# Verifying against this when the user does not exist costs the same time as a real check.
_DUMMY_HASH = passwords.hash("not a password anyone has")
BAD_CREDENTIALS = "the username or password is wrong, or the account cannot sign in"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- units and users ------------------------------------------------------------------------------------


def create_unit(session: Session, actor: Principal, name: str, kind: UnitKind) -> Unit:
    if has_control_characters(name):  # the CLI passes names without the API's schema
        raise InvalidInput("a unit's name must not contain control characters")
    if repository.find_unit_by_name(session, name) is not None:
        raise Conflict(f"a unit named {name!r} exists already")
    unit = Unit(name=name.strip(), kind=kind)
    session.add(unit)
    try:
        session.flush()
    except IntegrityError as error:  # the same name by another case folding, or a concurrent create
        raise Conflict(f"a unit named {name!r} exists already") from error
    audit.record(session, actor, "unit.create", "unit", unit.id, name=unit.name, kind=kind.value)
    return unit


def get_unit(session: Session, unit_id: str) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"no unit with id {unit_id}")
    return unit


def create_user(session: Session, actor: Principal, data: UserCreate) -> User:
    get_unit(session, data.unit_id)
    if repository.find_user(session, data.username) is not None:
        raise Conflict(f"the username {data.username!r} is taken")
    user = User(
        username=data.username,
        full_name=data.full_name or data.username,
        unit_id=data.unit_id,
        role=data.role,
        password_hash=passwords.hash(data.password) if data.password else None,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as error:  # a concurrent create of the same username
        raise Conflict(f"the username {data.username!r} is taken") from error
    audit.record(session, actor, "user.create", "user", user.id, username=user.username, role=user.role.value)
    if user.role is Role.officer:
        _assign_noted_cases(session, actor, user)
    return user


def _assign_noted_cases(session: Session, actor: Principal, officer: User) -> None:
    """Cases that named this officer in free text before assignments existed now get the assignment."""
    from cases import service as cases_service  # cases depends on access; this is the one way back

    for case in repository.cases_noting_officer(session, (officer.full_name, officer.username)):
        cases_service.assign_officer(session, actor, case, officer)
        case.officer_note = None


def update_user(session: Session, actor: Principal, user_id: str, data: UserUpdate) -> User:
    """Change a person's name, role, unit or whether they may sign in. A role change is recorded as its own event
    (issue 9: every role change is in the trail). The last active admin cannot demote or deactivate themselves
    out of existence: nobody could manage the install afterwards."""
    user = get_user(session, user_id)
    if data.unit_id is not None:
        get_unit(session, data.unit_id)
    losing_admin = (
        user.role is Role.admin
        and user.active
        and ((data.role is not None and data.role is not Role.admin) or data.active is False)
    )
    if losing_admin and repository.count_active_admins(session) <= 1:
        raise Conflict("this is the last active admin: make another admin first")
    if data.role is not None and data.role is not user.role:
        audit.record(session, actor, "user.role_change", "user", user.id, username=user.username,
                     previous=user.role.value, role=data.role.value)  # fmt: skip
        user.role = data.role
    changes = {
        field: value
        for field, value in data.model_dump(exclude_unset=True, exclude={"role"}).items()
        if value is not None and getattr(user, field) != value
    }
    for field, value in changes.items():
        setattr(user, field, value)
    if changes:
        audit.record(session, actor, "user.update", "user", user.id, username=user.username,
                     **{field: str(value) for field, value in changes.items()})  # fmt: skip
    return user


def get_user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


# --- tokens ----------------------------------------------------------------------------------------------


def create_token(session: Session, actor: Principal, data: TokenCreate) -> tuple[ApiToken, str]:
    """Return the stored token row and the plaintext, which is shown once and never stored."""
    if (data.user_id is None) == (data.role is None):
        raise InvalidInput("give either user_id (a user's token) or role (a service token), not both")
    user = get_user(session, data.user_id) if data.user_id else None
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=data.name,
        user_id=user.id if user else None,
        role=user.role if user else data.role,
        read_only=data.read_only,
        token_hash=hash_token(plaintext),
        expires_at=utcnow() + timedelta(days=data.expires_in_days) if data.expires_in_days else None,
    )
    session.add(token)
    session.flush()
    audit.record(session, actor, "token.create", "token", token.id, name=data.name, user_id=token.user_id,
                 role=token.role.value, read_only=data.read_only)  # fmt: skip
    return token, plaintext


def revoke_token(session: Session, actor: Principal, token_id: str) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or (actor.role is not Role.admin and token.user_id != actor.user_id):
        raise NotFound(f"no token with id {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor, "token.revoke", "token", token.id)
    return token


def ensure_bootstrap_token(session: Session, plaintext: str) -> bool:
    """Make plaintext an admin token if no admin exists yet; True if it was added. When an admin exists, the
    setting is ignored, and the log says so: a second install with a new token otherwise answers 401 unexplained."""
    if repository.find_active_token(session, hash_token(plaintext)) is not None:
        return False
    if repository.has_active_admin(session):
        log.warning(
            "bootstrap_token.ignored",
            reason="an admin already exists, so CASEFILE_BOOTSTRAP_TOKEN was not added; "
            "create tokens with `casefile tokens create`",
        )
        return False
    session.add(ApiToken(name="bootstrap", role=Role.admin, token_hash=hash_token(plaintext)))
    session.flush()
    return True


def authenticate_token(session: Session, plaintext: str, address: str | None = None) -> Principal | None:
    found = repository.active_token_credentials(session, hash_token(plaintext))
    if found is None or (found.expires_at is not None and found.expires_at <= utcnow()):
        return None
    if found.user_id is None:  # a service token: it acts by its own role
        return Principal(user_id=None, token_id=found.id, name=found.name, role=found.role, read_only=found.read_only,
                         address=address)  # fmt: skip
    if not found.active:  # a deactivated user's tokens stop working with them
        return None
    return Principal(user_id=found.user_id, token_id=found.id, name=found.username, role=found.user_role,
                     unit_id=found.unit_id, read_only=found.read_only, address=address)  # fmt: skip


# --- browser sessions -------------------------------------------------------------------------------------


def printable(text: str) -> str:
    """Text as it may be stored and shown: control characters escaped (`\\x00`), never dropped silently."""
    return CONTROL_CHARACTERS.sub(lambda found: f"\\x{ord(found[0]):02x}", text)


def sign_in(session: Session, username: str, password: str, address: str) -> tuple[User, str, str]:
    """Check the password; return the user, the session cookie value and the CSRF token. Throttled."""
    typed = printable(username)[:100]  # what the throttle and the trail keep of the name typed
    _check_throttle(session, typed, address)
    # A name with control characters, or longer than any username, cannot exist: it is not looked up (NUL in a
    # query is an error on PostgreSQL), and it fails like an unknown name, after the same password check.
    user = repository.find_user(session, username) if typed == username else None
    try:
        passwords.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
        verified = True
    except (VerificationError, InvalidHashError):
        verified = False
    if user is None or user.password_hash is None or not user.active or not verified:
        reason = (
            "unknown user" if user is None
            else "no password" if user.password_hash is None
            else "inactive" if not user.active
            else "wrong password"
        )  # fmt: skip
        session.add(SignInFailure(username=typed, address=address))
        # Who signed in is unknown: the actor is the name typed, marked as a failed sign-in, with no role.
        failed = Principal(user_id=None, token_id=None, name=typed, role=Role.client, address=address)
        audit.record(session, failed, "auth.sign_in", "user", user.id if user else None, outcome="failed",
                     actor_label=f"{typed} (failed sign-in)", reason=reason)  # fmt: skip
        raise Unauthorized(BAD_CREDENTIALS, keep_changes=True)
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(BrowserSession(session_hash=hash_token(cookie), user_id=user.id, csrf_token=csrf,
                               expires_at=utcnow() + timedelta(hours=SESSION_HOURS)))  # fmt: skip
    if user.password_hash and passwords.check_needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    audit.record(session, principal_for(user, address), "auth.sign_in", "user", user.id)
    return user, cookie, csrf


def _check_throttle(session: Session, username: str, address: str) -> None:
    since = utcnow() - THROTTLE_WINDOW
    by_account, by_address, oldest = repository.recent_failures(session, username, address, since)
    if by_account >= MAX_FAILURES_PER_ACCOUNT or by_address >= MAX_FAILURES_PER_ADDRESS:
        wait = int(((oldest or utcnow()) + THROTTLE_WINDOW - utcnow()).total_seconds()) + 1
        raise TooManyRequests("too many failed sign-ins; try again later", headers={"Retry-After": str(max(wait, 1))})


def authenticate_session(session: Session, cookie: str, address: str | None = None) -> Principal | None:
    found = repository.active_session_credentials(session, hash_token(cookie))
    if found is None or found.expires_at <= utcnow() or not found.active:
        return None
    return Principal(user_id=found.user_id, token_id=None, name=found.username, role=found.user_role,
                     unit_id=found.unit_id, session_id=found.id, address=address)  # fmt: skip


def csrf_token_of(session: Session, session_id: str) -> str | None:
    browser = session.get(BrowserSession, session_id)
    return browser.csrf_token if browser else None


def sign_out(session: Session, actor: Principal) -> None:
    if actor.session_id is None:
        return
    browser = session.get(BrowserSession, actor.session_id)
    if browser is not None and browser.revoked_at is None:
        browser.revoked_at = utcnow()
        audit.record(session, actor, "auth.sign_out", "user", actor.user_id)


def principal_for(user: User, address: str | None = None, session_id: str | None = None) -> Principal:
    return Principal(user_id=user.id, token_id=None, name=user.username, role=user.role, unit_id=user.unit_id,
                     session_id=session_id, address=address)  # fmt: skip


def require(principal: Principal, permission: Permission) -> None:
    if not principal.can(permission):
        raise Forbidden(f"the {principal.role.value} role may not {permission.value}")
