"""hearings, deadlines, limitation rules, reminders, calendar secrets, unit heads (issue 12, decision 0022)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from litigation.rules_data import default_rules

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "hearings",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("time", sa.String(5), nullable=True),
        sa.Column("court", sa.String(200), nullable=False),
        sa.Column("bench", sa.String(200), nullable=True),
        sa.Column("purpose", sa.String(500), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("adjournment_reason", sa.String(500), nullable=True),
        sa.Column("next_date", sa.Date(), nullable=True),
        sa.Column("next_hearing_id", sa.String(36), nullable=True),
        sa.Column("created_by", sa.String(36), nullable=True),
        *_timestamps(),
    )
    op.create_index("ix_hearings_case_id", "hearings", ["case_id"])
    op.create_index("ix_hearings_date_court", "hearings", ["date", "court"])
    op.create_table(
        "deadlines",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.Column("created_by", sa.String(36), nullable=True),
        *_timestamps(),
    )
    op.create_index("ix_deadlines_case_id", "deadlines", ["case_id"])
    op.create_index("ix_deadlines_owner_id", "deadlines", ["owner_id"])
    op.create_index("ix_deadlines_status_due_on", "deadlines", ["status", "due_on"])
    rules = op.create_table(
        "limitation_rules",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("remedy", sa.String(300), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("counts_from", sa.String(32), nullable=False),
        sa.Column("deadline_kind", sa.String(32), nullable=False),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("verify_note", sa.String(500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    now = sa.func.now()
    for rule in default_rules():  # the shipped defaults, each with its cited source, marked "verify locally"
        op.execute(rules.insert().values(**rule, active=True, updated_at=now))
    op.create_table(
        "reminders",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("deadline_id", sa.String(36), sa.ForeignKey("deadlines.id", ondelete="CASCADE"), nullable=False),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        # The scheduler may run many times a day: each reminder is made once.
        sa.UniqueConstraint("deadline_id", "kind", "on_day", name="uq_reminders_deadline_kind_day"),
    )
    op.create_index("ix_reminders_deadline_id", "reminders", ["deadline_id"])
    op.create_index("ix_reminders_case_id", "reminders", ["case_id"])
    op.create_index("ix_reminders_user_read", "reminders", ["user_id", "read_at"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("calendar_secret_hash", sa.String(64), nullable=True))
    op.create_index("ix_users_calendar_secret_hash", "users", ["calendar_secret_hash"], unique=True)
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("head_user_id", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.drop_column("head_user_id")
    op.drop_index("ix_users_calendar_secret_hash", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("calendar_secret_hash")
    op.drop_table("reminders")
    op.drop_table("limitation_rules")
    op.drop_table("deadlines")
    op.drop_table("hearings")
