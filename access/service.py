"""Issue and check API tokens; record who did what."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy.orm import Session

from access import repository
from access.schemas import Principal
from core.models import ApiToken, AuditEvent, Role

TOKEN_PREFIX = "cf_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, role: Role) -> tuple[ApiToken, str]:
    """Return the stored token row and the plaintext, which is shown once and never stored."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, role=role, token_hash=hash_token(plaintext))
    session.add(token)
    session.flush()
    return token, plaintext


def ensure_bootstrap_token(session: Session, plaintext: str) -> bool:
    """Make plaintext an admin token if no admin token exists yet; True if it was added."""
    if repository.has_active_admin(session) or repository.find_active_token(session, hash_token(plaintext)):
        return False
    session.add(ApiToken(name="bootstrap", role=Role.admin, token_hash=hash_token(plaintext)))
    session.flush()
    return True


def authenticate(session: Session, plaintext: str) -> Principal | None:
    token = repository.find_active_token(session, hash_token(plaintext))
    if token is None:
        return None
    return Principal(token_id=token.id, name=token.name, role=token.role)


def record(
    session: Session,
    actor: Principal,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    **detail: Any,
) -> None:
    """Add an audit event to the current transaction, so it commits (or not) with the action itself."""
    session.add(
        AuditEvent(
            token_id=actor.token_id,
            actor=f"{actor.name} ({actor.role.value})",
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail={key: value for key, value in detail.items() if value is not None},
        )
    )
