"""the case lifecycle (issue 12, decision 0021): assignments with a role, acknowledgement and history; statuses
intake..closed with their history; decisions; comments and requests for comments; officers' specialisations;
notifications about a case with no document (mentions)

Revision ID: 0008
Revises: 0007
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

STATUSES = ("intake", "assigned", "pending", "reserved", "decided", "appeal", "closed")
# The old statuses to the new (decision 0021); "open" becomes "assigned" when the case has an officer.
STATUS_MAP = {
    "pending": "pending",
    "adjourned": "pending",
    "reserved": "reserved",
    "decided": "decided",
    "disposed": "closed",
    "withdrawn": "closed",
}
BACK_MAP = {"intake": "open", "assigned": "open", "appeal": "pending", "closed": "disposed"}


def _status(name: str) -> sa.Enum:
    return sa.Enum(*STATUSES, name=name, native_enum=False, length=32)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("specialisations", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("assignments") as batch:
        batch.drop_constraint("uq_assignments_case_user", type_="unique")
        batch.add_column(sa.Column("role", sa.String(32), nullable=False, server_default="assisting"))
        batch.add_column(sa.Column("note", sa.String(1000), nullable=True))
        batch.add_column(sa.Column("assigned_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("acknowledge_by", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ended_reason", sa.String(1000), nullable=True))
        batch.add_column(sa.Column("ended_by", sa.String(200), nullable=True))
        batch.create_index("ix_assignments_ended_at", ["ended_at"])
    bind = op.get_bind()
    # Each case's earliest assignment becomes its lead; assignments made before acknowledgement existed count as
    # acknowledged (nobody would be asked to acknowledge work they have been doing).
    rows = bind.execute(sa.text("SELECT id, case_id, created_at FROM assignments ORDER BY case_id, created_at, id"))
    seen: set[str] = set()
    for assignment_id, case_id, created_at in rows.fetchall():
        role = "assisting" if case_id in seen else "lead"
        seen.add(case_id)
        bind.execute(
            sa.text("UPDATE assignments SET role = :role, acknowledged_at = :at, acknowledge_by = :at WHERE id = :id"),
            {"role": role, "at": created_at, "id": assignment_id},
        )
    op.create_index(
        "uq_assignments_current_case_user",
        "assignments",
        ["case_id", "user_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_index(
        "uq_assignments_current_lead",
        "assignments",
        ["case_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL AND role = 'lead'"),
        postgresql_where=sa.text("ended_at IS NULL AND role = 'lead'"),
    )
    op.create_table(
        "case_status_changes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_status", _status("casestatus"), nullable=True),
        sa.Column("to_status", _status("casestatus"), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=True),
        sa.Column("user_id", sa.String(36), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_status_changes_case_id", "case_status_changes", ["case_id"])
    op.create_index("ix_case_status_changes_at", "case_status_changes", ["at"])
    # The old statuses, mapped; each changed case keeps a history row saying what it was.
    now = datetime.now(UTC)
    assigned = {row[0] for row in bind.execute(sa.text("SELECT DISTINCT case_id FROM assignments"))}
    for case_id, old in bind.execute(sa.text("SELECT id, status FROM cases")).fetchall():
        new = STATUS_MAP.get(old) or ("assigned" if case_id in assigned else "intake")
        if new == old:
            continue
        bind.execute(sa.text("UPDATE cases SET status = :new WHERE id = :id"), {"new": new, "id": case_id})
        bind.execute(
            sa.text(
                "INSERT INTO case_status_changes (id, case_id, from_status, to_status, reason, user_id, actor, at) "
                "VALUES (:id, :case_id, NULL, :new, :reason, NULL, 'migration 0008', :at)"
            ),
            {"id": str(uuid.uuid4()), "case_id": case_id, "new": new, "at": now,
             "reason": f"status {old!r} before the case lifecycle (decision 0021)"},
        )  # fmt: skip
    op.create_table(
        "case_decisions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column(
            "judgment_document_id",
            sa.String(36),
            sa.ForeignKey("documents.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.Column("user_id", sa.String(36), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_decisions_case_id", "case_decisions", ["case_id"])
    op.create_index("ix_case_decisions_decided_on", "case_decisions", ["decided_on"])
    op.create_table(
        "comment_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_comment_id", sa.String(36), nullable=True),
    )
    op.create_index("ix_comment_requests_case_id", "comment_requests", ["case_id"])
    op.create_index("ix_comment_requests_due_on", "comment_requests", ["due_on"])
    op.create_index("ix_comment_requests_answered_at", "comment_requests", ["answered_at"])
    op.create_table(
        "case_comments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.Column("mentioned_user_ids", sa.JSON(), nullable=False),
        sa.Column(
            "request_id", sa.String(36), sa.ForeignKey("comment_requests.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("user_id", sa.String(36), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_comments_case_id", "case_comments", ["case_id"])
    op.create_index("ix_case_comments_created_at", "case_comments", ["created_at"])
    # A mention notifies about the case, not a document.
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("document_id", existing_type=sa.String(36), nullable=True)


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.text("DELETE FROM notifications WHERE document_id IS NULL"))
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("document_id", existing_type=sa.String(36), nullable=False)
    op.drop_table("case_comments")
    op.drop_table("comment_requests")
    op.drop_table("case_decisions")
    op.drop_table("case_status_changes")
    for new, old in BACK_MAP.items():
        bind.execute(sa.text("UPDATE cases SET status = :old WHERE status = :new"), {"old": old, "new": new})
    # The history the old schema cannot hold (ended assignments) goes with the columns.
    bind.execute(sa.text("DELETE FROM assignments WHERE ended_at IS NOT NULL"))
    op.drop_index("uq_assignments_current_lead", "assignments")
    op.drop_index("uq_assignments_current_case_user", "assignments")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_index("ix_assignments_ended_at")
        for column in (
            "ended_by",
            "ended_reason",
            "ended_at",
            "acknowledge_by",
            "acknowledged_at",
            "assigned_by",
            "note",
            "role",
        ):
            batch.drop_column(column)
        batch.create_unique_constraint("uq_assignments_case_user", ["case_id", "user_id"])
    with op.batch_alter_table("users") as batch:
        batch.drop_column("specialisations")
