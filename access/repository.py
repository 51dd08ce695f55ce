"""Queries about tokens and audit events."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import ApiToken, AuditEvent, Role


def find_active_token(session: Session, token_hash: str) -> ApiToken | None:
    return session.scalars(
        select(ApiToken).where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
    ).first()


def has_active_admin(session: Session) -> bool:
    return (
        session.scalars(
            select(ApiToken.id).where(ApiToken.role == Role.admin, ApiToken.revoked_at.is_(None)).limit(1)
        ).first()
        is not None
    )


def recent_audit_events(session: Session, limit: int = 100) -> Sequence[AuditEvent]:
    return session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()
