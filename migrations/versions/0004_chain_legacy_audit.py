"""chain the audit rows written before the chain existed

Revision ID: 0004
Revises: 0003

Rows written before migration 0003 have no sequence, so `casefile audit verify` reports the first of them as
`unchained`. This chains them, in id order (the order they were written), with the hashing the application uses.

Only rows older than the chain are chained: an unchained row with an id above the first chained row was written
around the chain after 0003 (raw SQL, say) and stays unchained, so verify still reports it. If the chain already
has rows (the application ran at 0003 before this migration), the old rows are appended after its head rather
than put before it: re-hashing chained rows would break every anchor kept outside the database.

The canonical content is restated here, not imported from access/audit.py: a migration must do the same thing
whatever the application later becomes. tests/access/test_audit_migration.py checks both give the same hash.
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
HEAD_ID = 1
BATCH = 1000

# The tables as they are at this revision (not the application's models, which may change later).
_metadata = sa.MetaData()
events = sa.Table(
    "audit_events",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("token_id", sa.String(36)),
    sa.Column("user_id", sa.String(36)),
    sa.Column("actor", sa.String(200)),
    sa.Column("address", sa.String(100)),
    sa.Column("action", sa.String(50)),
    sa.Column("target_type", sa.String(50)),
    sa.Column("target_id", sa.String(36)),
    sa.Column("case_id", sa.String(36)),
    sa.Column("outcome", sa.String(20)),
    sa.Column("detail", sa.JSON),
    sa.Column("sequence", sa.Integer),
    sa.Column("previous_hash", sa.String(64)),
    sa.Column("hash", sa.String(64)),
)
head_table = sa.Table(
    "audit_chain",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sequence", sa.Integer),
    sa.Column("hash", sa.String(64)),
)


def _utc(value: datetime) -> datetime:
    # As core.models.UTCDateTime reads it back: SQLite returns naive UTC, PostgreSQL the session's zone.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def canonical_content(row: dict[str, Any], sequence: int) -> bytes:
    """access.audit.canonical_content, restated: compact key-sorted JSON of the row with its sequence."""
    content = {
        "id": row["id"],
        "sequence": sequence,
        "at": _utc(row["at"]).isoformat(),
        "token_id": row["token_id"],
        "user_id": row["user_id"],
        "actor": row["actor"],
        "address": row["address"],
        "action": row["action"],
        "target_type": row["target_type"],
        "target_id": row["target_id"],
        "case_id": row["case_id"],
        "outcome": row["outcome"],
        "detail": row["detail"],
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def chain_hash(previous_hash: str, row: dict[str, Any], sequence: int) -> str:
    return hashlib.sha256(previous_hash.encode() + canonical_content(row, sequence)).hexdigest()


def chain_legacy_rows(connection: sa.Connection) -> int:
    """Chain the unchained rows older than the chain, after its head; return how many were chained."""
    # The head's lock: on PostgreSQL, an application still running commits after this, not into the middle.
    sequence, previous = connection.execute(
        sa.select(head_table.c.sequence, head_table.c.hash).where(head_table.c.id == HEAD_ID).with_for_update()
    ).one()
    first_chained = connection.scalar(sa.select(sa.func.min(events.c.id)).where(events.c.sequence.is_not(None)))
    older: sa.ColumnElement[bool] = events.c.sequence.is_(None)
    if first_chained is not None:
        older = sa.and_(older, events.c.id < first_chained)
    update = (
        sa.update(events)
        .where(events.c.id == sa.bindparam("row_id"))
        .values(sequence=sa.bindparam("new_sequence"), previous_hash=sa.bindparam("new_previous"),
                hash=sa.bindparam("new_hash"))
    )  # fmt: skip
    chained, last_id = 0, None
    while True:  # in batches by id (keyset), so a large trail is never held in memory at once
        query = sa.select(events).where(older).order_by(events.c.id).limit(BATCH)
        if last_id is not None:
            query = query.where(events.c.id > last_id)
        rows = [dict(row._mapping) for row in connection.execute(query)]
        if not rows:
            break
        links = []
        for row in rows:
            sequence += 1
            digest = chain_hash(previous, row, sequence)
            links.append({"row_id": row["id"], "new_sequence": sequence, "new_previous": previous, "new_hash": digest})
            previous = digest
        connection.execute(update, links)
        chained, last_id = chained + len(rows), rows[-1]["id"]
    if chained:
        connection.execute(
            sa.update(head_table).where(head_table.c.id == HEAD_ID).values(sequence=sequence, hash=previous)
        )
    return chained


def upgrade() -> None:
    chain_legacy_rows(op.get_bind())


def downgrade() -> None:
    # The rows stay chained: unchaining them would make verify report them, and nothing at 0003 needs that.
    pass
