"""The audit trail: who did what, when, from where, to which target, with what outcome.

Rows are append-only and hash-chained. Each commit that adds rows takes the chain's head (one row, locked),
gives its rows the next sequence numbers, and stores in each `hash = sha256(previous hash + canonical
content)`. An edited, deleted or reordered row breaks every hash after it (`casefile audit verify`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from access.schemas import Principal
from core.models import AuditChain, AuditEvent

_PENDING = "casefile.audit_rows"
GENESIS = "0" * 64


def record(
    session: Session,
    actor: Principal,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    *,
    case_id: str | None = None,
    outcome: str = "ok",
    **detail: Any,
) -> None:
    """Add an audit row to the current transaction, so it commits (or not) with the action itself."""
    row = AuditEvent(
        token_id=actor.token_id,
        user_id=actor.user_id,
        actor=actor.label,
        address=actor.address,
        action=action,
        target_type=target_type,
        target_id=target_id,
        case_id=case_id if case_id is not None else (target_id if target_type == "case" else None),
        outcome=outcome,
        detail={key: value for key, value in detail.items() if value is not None},
    )
    session.add(row)
    session.info.setdefault(_PENDING, []).append(row)


def canonical_content(row: AuditEvent) -> bytes:
    """The fields the hash covers, in a fixed order and form."""
    content = {
        "sequence": row.sequence,
        "at": row.at.isoformat(),
        "token_id": row.token_id,
        "user_id": row.user_id,
        "actor": row.actor,
        "address": row.address,
        "action": row.action,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "case_id": row.case_id,
        "outcome": row.outcome,
        "detail": row.detail,
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def chain_hash(previous_hash: str, row: AuditEvent) -> str:
    return hashlib.sha256(previous_hash.encode() + canonical_content(row)).hexdigest()


@event.listens_for(Session, "before_commit")
def _chain_new_rows(session: Session) -> None:
    """Every commit path chains its rows: no caller can forget to."""
    rows: list[AuditEvent] = session.info.pop(_PENDING, [])
    if not rows:
        return
    session.flush()  # ids and defaults (the time) are set
    head = session.execute(select(AuditChain).where(AuditChain.id == 1).with_for_update()).scalar_one()
    sequence, previous = head.sequence, head.hash
    for row in rows:
        sequence += 1
        row.sequence, row.previous_hash = sequence, previous
        row.hash = previous = chain_hash(previous, row)
    session.execute(update(AuditChain).where(AuditChain.id == 1).values(sequence=sequence, hash=previous))
    session.flush()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_rows(session: Session) -> None:
    session.info.pop(_PENDING, None)
