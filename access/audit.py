"""The audit trail: who did what, when, from where, to which target, with what outcome.

Rows are append-only and hash-chained. Each commit that adds rows takes the chain's head (one row, locked),
gives its rows the next sequence numbers, and stores in each `hash = sha256(previous hash + canonical
content)`. An edited, deleted or reordered row breaks the chain at that row (`casefile audit verify`).

Why the head row: concurrent transactions would otherwise read the same "last hash" and fork the chain. On
PostgreSQL `SELECT ... FOR UPDATE` on the head makes the chaining step of concurrent commits run one after
another, and READ COMMITTED re-reads the head once the lock is granted. SQLite has no row locks; there the
audit rows are inserted (which takes the database's single write lock) before the head is read, so the head
read is always the newest. The lock is taken last in the transaction, so it cannot deadlock with other locks.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    event,
    exists,
    func,
    inspect,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Mapper, Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from access.schemas import Permission, Principal
from core.errors import InvalidInput, NotFound
from core.models import Assignment, AuditChain, AuditEvent, Case, Role, User

_PENDING = "casefile.audit_rows"
GENESIS = "0" * 64
HEAD_ID = 1
# What "seeing" a case means in its access log: reading it, a document, its pages (as text, in the viewer or as an
# image), or downloading a file.
VIEW_ACTIONS = ("case.read", "document.read", "document.read_pages", "document.view_page", "document.view_image",
                "document.download")  # fmt: skip


def record(
    session: Session,
    actor: Principal,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    *,
    case_id: str | None = None,
    outcome: str = "ok",
    actor_label: str | None = None,
    **detail: Any,
) -> None:
    """Add an audit row to the current transaction, so it commits (or not) with the action itself.
    `actor_label` replaces "name (role)" when the actor is not who they claim (a failed sign-in)."""
    session.add(
        AuditEvent(
            token_id=actor.token_id,
            user_id=actor.user_id,
            actor=actor_label if actor_label is not None else actor.label,
            address=actor.address,
            action=action,
            target_type=target_type,
            target_id=target_id,
            case_id=case_id if case_id is not None else (target_id if target_type == "case" else None),
            outcome=outcome,
            detail={key: value for key, value in detail.items() if value is not None},
        )
    )


def content_of(row: AuditEvent) -> dict[str, Any]:
    """The fields the hash covers (and the CSV export shows), the time in ISO 8601."""
    return {
        "id": row.id,
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


def canonical_content(row: AuditEvent) -> bytes:
    """The fields the hash covers, in a fixed order and form. The id is covered too: swapping two rows' contents
    (or ids) breaks both hashes, even though each row's content and place in the chain is unchanged."""
    return json.dumps(content_of(row), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def chain_hash(previous_hash: str, row: AuditEvent) -> str:
    return hashlib.sha256(previous_hash.encode() + canonical_content(row)).hexdigest()


# --- chaining: every ORM insert of an AuditEvent is chained when its transaction commits ---------------------


@event.listens_for(AuditEvent, "before_insert")
def _track_inserted_row(_mapper: Mapper[AuditEvent], _connection: Connection, row: AuditEvent) -> None:
    # Tracked at insert, not in record(): a row added any other way through the ORM is chained as well.
    session = object_session(row)
    if session is not None:
        session.info.setdefault(_PENDING, []).append(row)


# Core statements on the session's connection: the ORM's execute and a second flush cost more CPU than the SQL.
_EVENTS, _HEAD = cast(Table, AuditEvent.__table__), cast(Table, AuditChain.__table__)
_READ_HEAD = select(_HEAD.c.sequence, _HEAD.c.hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
_WRITE_ROW = (
    update(_EVENTS)
    .where(_EVENTS.c.id == bindparam("row_id"))
    .values(sequence=bindparam("new_sequence"), previous_hash=bindparam("new_previous"), hash=bindparam("new_hash"))
)
_WRITE_HEAD = (
    update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(sequence=bindparam("new_sequence"), hash=bindparam("new_hash"))
)


@event.listens_for(Session, "before_commit")
def _chain_new_rows(session: Session) -> None:
    """Every commit path chains its rows: no caller can forget to."""
    session.flush()  # inserts what is still pending: ids and the time are set, and on SQLite the write lock held
    tracked: list[AuditEvent] = session.info.pop(_PENDING, [])
    # A row whose savepoint rolled back is no longer in the session: it must not take a sequence number.
    rows = sorted((row for row in tracked if row in session and inspect(row).persistent), key=lambda row: row.id)
    if not rows:
        return
    connection = session.connection()
    sequence, previous = connection.execute(_READ_HEAD).one()
    links = []
    for row in rows:
        sequence += 1
        # As loaded, not as changed: the UPDATE below writes them, and no second flush is needed.
        set_committed_value(row, "sequence", sequence)
        set_committed_value(row, "previous_hash", previous)
        set_committed_value(row, "hash", chain_hash(previous, row))
        links.append({"row_id": row.id, "new_sequence": sequence, "new_previous": previous, "new_hash": row.hash})
        previous = row.hash
    connection.execute(_WRITE_ROW, links)
    connection.execute(_WRITE_HEAD, {"new_sequence": sequence, "new_hash": previous})


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_rows(session: Session) -> None:
    tracked: list[AuditEvent] = session.info.pop(_PENDING, [])
    kept = [row for row in tracked if row in session and inspect(row).persistent]  # a savepoint's rollback
    if kept:
        session.info[_PENDING] = kept


# --- verification: a pure walk over the rows in sequence order, and the queries that feed it ----------------


class Fault(enum.StrEnum):
    unchained = "unchained"  # a row with no sequence: written around the chain
    gap = "gap"  # sequence numbers are missing: rows were deleted
    reordered = "reordered"  # the row was chained after another row than the one before it now
    previous_hash_mismatch = "previous-hash mismatch"  # the link to the row before is broken
    hash_mismatch = "hash mismatch"  # the row's content (or id) is not what was chained
    head_mismatch = "head mismatch"  # the chain does not end where the head says: rows deleted at the end
    beyond_head = "beyond head"  # rows past the head: appended around the chain
    anchor_mismatch = "anchor mismatch"  # a hash recorded outside the database is no longer in the chain


@dataclass(frozen=True)
class ChainHead:
    sequence: int
    hash: str


@dataclass(frozen=True)
class BadRow:
    fault: Fault
    detail: str
    id: int | None = None
    sequence: int | None = None

    def describe(self) -> str:
        where = f"row id {self.id} (sequence {self.sequence})" if self.id is not None else "the chain's head"
        return f"{where}: {self.fault.value}: {self.detail}"


@dataclass(frozen=True)
class ChainReport:
    rows: int
    head: ChainHead
    bad: BadRow | None

    @property
    def intact(self) -> bool:
        return self.bad is None


Locator = Callable[[str], tuple[int, int] | None]


def _nowhere(_hash: str) -> tuple[int, int] | None:
    return None


def verify_chain(
    rows: Iterable[AuditEvent],
    head: ChainHead,
    locate: Locator = _nowhere,
    anchors: Mapping[int, str] | None = None,
) -> ChainReport:
    """Walk the rows (unchained ones first, then by sequence) and name the first bad one. `locate(hash)` gives
    the (id, sequence) of the row with that hash, if any: it tells a reordered row from a broken link.
    `anchors` are {sequence: hash} pairs kept outside the database, which a full rewrite cannot match."""
    anchors = dict(anchors or {})
    expected, running, before, count = 1, GENESIS, None, 0

    def bad(row: AuditEvent | None, fault: Fault, detail: str) -> ChainReport:
        row_id, sequence = (row.id, row.sequence) if row is not None else (None, None)
        return ChainReport(count, head, BadRow(fault, detail, row_id, sequence))

    for row in rows:
        count += 1
        if row.sequence is None:
            return bad(row, Fault.unchained, "it has no sequence number: it was written around the chain")
        if row.sequence > expected:
            missing = str(expected) if row.sequence == expected + 1 else f"{expected} to {row.sequence - 1}"
            return bad(row, Fault.gap, f"sequence {missing} is missing before it: rows were deleted")
        if row.sequence < expected:  # only if the rows were not given in sequence order
            return bad(row, Fault.reordered, f"sequence {row.sequence} comes after sequence {expected - 1}")
        after = f"row id {before.id} (sequence {before.sequence})" if before is not None else "the genesis hash"
        if row.previous_hash != running:
            found = locate(row.previous_hash) if row.previous_hash else None
            if found is not None:
                return bad(
                    row,
                    Fault.reordered,
                    f"it was chained after row id {found[0]} (sequence {found[1]}), but now follows {after}",
                )
            return bad(
                row, Fault.previous_hash_mismatch, f"its previous_hash is not the hash of {after}: one was rewritten"
            )
        if chain_hash(running, row) != row.hash:
            return bad(row, Fault.hash_mismatch, "its content does not match its hash: it was edited")
        if row.sequence in anchors and anchors.pop(row.sequence) != row.hash:
            return bad(row, Fault.anchor_mismatch, "its hash is not the one recorded for this sequence")
        running, before, expected = row.hash, row, expected + 1
    last = expected - 1
    if (last, running) != (head.sequence, head.hash):
        if last < head.sequence:
            detail = f"the head says sequence {head.sequence}, the chain ends at {last}: rows were deleted at the end"
        elif last > head.sequence:
            detail = f"the chain goes on to sequence {last}, past the head's {head.sequence}"
        else:
            detail = f"the last row's hash is not the head's ({head.hash[:16]}…): one of them was rewritten"
        return bad(None, Fault.head_mismatch, detail)
    if anchors:
        sequence = min(anchors)
        return bad(None, Fault.anchor_mismatch, f"sequence {sequence}, recorded outside, is no longer in the chain")
    return ChainReport(count, head, None)


def read_head(session: Session) -> ChainHead:
    head = session.execute(select(AuditChain.sequence, AuditChain.hash).where(AuditChain.id == HEAD_ID)).one()
    return ChainHead(head.sequence, head.hash)


def verify_database(session: Session, anchors: Mapping[int, str] | None = None) -> ChainReport:
    """Verify the whole trail, streamed. The head is read first and rows past it are left for the next run:
    commits that land while the rows are read are neither missed nor mistaken for tampering."""
    found = session.execute(select(_HEAD.c.sequence, _HEAD.c.hash).where(_HEAD.c.id == HEAD_ID)).first()
    if found is None:
        return ChainReport(0, ChainHead(0, GENESIS), BadRow(Fault.head_mismatch, "the head row is gone"))
    head = ChainHead(*found)
    beyond = session.execute(  # one statement, so one snapshot: a row past the head was written around it
        select(AuditEvent.id, AuditEvent.sequence)
        .join(AuditChain, AuditChain.id == HEAD_ID)
        .where(AuditEvent.sequence > AuditChain.sequence)
        .order_by(AuditEvent.sequence)
        .limit(1)
    ).first()
    # Unchained rows first, then the chain in sequence order (two queries, so each can walk an index).
    unchained = session.scalars(
        select(AuditEvent).where(AuditEvent.sequence.is_(None)).order_by(AuditEvent.id).limit(1)
    ).all()
    chained = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.sequence <= head.sequence)
        .order_by(AuditEvent.sequence)
        .execution_options(yield_per=2000)
    )
    report = verify_chain(chain(unchained, chained), head, lambda digest: _locate(session, digest), anchors)
    if report.intact and beyond is not None:
        return ChainReport(
            report.rows,
            head,
            BadRow(Fault.beyond_head, "it is past the chain's head: it was appended around the chain", *beyond),
        )
    return report


def _locate(session: Session, digest: str) -> tuple[int, int] | None:
    # Only on the failure path: `hash` has no index, and needs none for this.
    found = session.execute(
        select(AuditEvent.id, AuditEvent.sequence).where(AuditEvent.hash == digest).limit(1)
    ).first()
    return (found.id, found.sequence) if found is not None and found.sequence is not None else None


# --- reading the trail: GET /api/v1/audit and a case's access log ---------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    actor: str | None = None  # a username, user id or token id
    action: str | None = None  # exact, or a prefix ending in "*": "document.*"
    target_type: str | None = None
    target_id: str | None = None
    case_id: str | None = None
    outcome: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive

    def __post_init__(self) -> None:
        # Here, not in the query: a CSV export must fail before its stream starts.
        if self.since and self.until and self.since >= self.until:
            raise InvalidInput("`from` must be before `to`")


def _conditions(session: Session, filters: AuditFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.actor:
        person = session.scalar(select(User.id).where(User.username == filters.actor))
        whom = {filters.actor} | ({person} if person else set())
        conditions.append(or_(AuditEvent.user_id.in_(whom), AuditEvent.token_id == filters.actor))
    if filters.action:
        if filters.action.endswith("*"):
            prefix = filters.action[:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(AuditEvent.action.like(f"{prefix}%", escape="\\"))
        else:
            conditions.append(AuditEvent.action == filters.action)
    for column, value in (
        (AuditEvent.target_type, filters.target_type),
        (AuditEvent.target_id, filters.target_id),
        (AuditEvent.case_id, filters.case_id),
        (AuditEvent.outcome, filters.outcome),
    ):
        if value is not None:
            conditions.append(column == value)
    if filters.since is not None:
        conditions.append(AuditEvent.at >= filters.since)
    if filters.until is not None:
        conditions.append(AuditEvent.at < filters.until)
    return conditions


def _events(session: Session, filters: AuditFilters) -> Select[AuditEvent]:
    # Newest first by id: assigned at insert, so in time order but for concurrent commits, and the primary key
    # (sequence order would put rows outside the chain first on PostgreSQL and last on SQLite).
    return select(AuditEvent).where(*_conditions(session, filters)).order_by(AuditEvent.id.desc())


def list_events(session: Session, filters: AuditFilters, page: int, size: int) -> tuple[list[AuditEvent], int]:
    query = _events(session, filters)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.scalars(query.offset((page - 1) * size).limit(size))), total


def stream_events(session: Session, filters: AuditFilters, batch: int = 1000) -> Iterator[AuditEvent]:
    """Every matching row, newest first, read in batches (a server-side cursor on PostgreSQL)."""
    yield from session.scalars(_events(session, filters).execution_options(yield_per=batch))


def check_access_log(session: Session, actor: Principal, case_id: str) -> None:
    """Who may read a case's access log: admins and auditors, and the officers assigned to the case. Anyone
    else gets 404, the same as for a case that does not exist. Auditors see the log but never the case."""
    if actor.can(Permission.audit):
        allowed: ColumnElement[bool] = true()
    elif actor.role is Role.officer and actor.user_id:
        allowed = exists().where(
            Assignment.case_id == Case.id, Assignment.user_id == actor.user_id, Assignment.ended_at.is_(None)
        )
    else:
        raise NotFound(f"no case with id {case_id}")
    if session.scalar(select(Case.id).where(Case.id == case_id, allowed)) is None:
        raise NotFound(f"no case with id {case_id}")


@dataclass(frozen=True)
class Viewer:
    actor: str
    user_id: str | None
    views: int
    first_at: datetime
    last_at: datetime


def case_viewers(session: Session, case_id: str) -> list[Viewer]:
    """Who has seen the case (read it, a document or its pages, or downloaded a file), most recent first."""
    last = func.max(AuditEvent.at)
    rows = session.execute(
        select(AuditEvent.actor, AuditEvent.user_id, func.count(), func.min(AuditEvent.at), last)
        .where(and_(AuditEvent.case_id == case_id, AuditEvent.action.in_(VIEW_ACTIONS), AuditEvent.outcome == "ok"))
        .group_by(AuditEvent.actor, AuditEvent.user_id)
        .order_by(last.desc(), AuditEvent.actor)
    ).all()
    return [Viewer(actor, user_id, views, first, latest) for actor, user_id, views, first, latest in rows]
