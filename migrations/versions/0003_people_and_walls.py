"""units, users, sessions, assignments, grants, seals; a hash-chained audit trail

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ROLES = ("admin", "clerk", "officer", "focal_person", "auditor", "client")


def _role() -> sa.Enum:
    return sa.Enum(*ROLES, name="role", native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column(
            "kind",
            sa.Enum("ministry", "law_office", "court", "other", name="unitkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("unit_id", sa.String(36), sa.ForeignKey("units.id"), nullable=False, index=True),
        sa.Column("role", _role(), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "browser_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("session_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(100), nullable=False, index=True),
        sa.Column("address", sa.String(100), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "assignments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("case_id", "user_id", name="uq_assignments_case_user"),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("users.id"), nullable=True, index=True),
        sa.Column("unit_id", sa.String(36), sa.ForeignKey("units.id"), nullable=True, index=True),
        sa.Column("access", sa.Enum("read", "write", name="access", native_enum=False, length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Columns are added in place (no table copy on SQLite); the role enum is a plain string column, so the
    # new role names need no ALTER.
    op.alter_column("cases", "assigned_officer", new_column_name="officer_note", existing_type=sa.String(200))
    op.add_column("cases", sa.Column("unit_id", sa.String(36), nullable=True))
    op.create_index("ix_cases_unit_id", "cases", ["unit_id"])
    op.add_column("cases", sa.Column("sealed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("cases", sa.Column("seal_reason", sa.String(500), nullable=True))
    op.add_column("documents", sa.Column("sealed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("documents", sa.Column("seal_reason", sa.String(500), nullable=True))
    op.add_column("api_tokens", sa.Column("user_id", sa.String(36), nullable=True))
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot add a constraint to an existing table in place
        op.create_foreign_key("fk_cases_unit_id", "cases", "units", ["unit_id"], ["id"])
        op.create_foreign_key("fk_api_tokens_user_id", "api_tokens", "users", ["user_id"], ["id"])
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.add_column("api_tokens", sa.Column("read_only", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    for name, column in (
        ("user_id", sa.Column("user_id", sa.String(36), nullable=True)),
        ("address", sa.Column("address", sa.String(100), nullable=True)),
        ("case_id", sa.Column("case_id", sa.String(36), nullable=True)),
        ("outcome", sa.Column("outcome", sa.String(20), nullable=False, server_default="ok")),
        ("sequence", sa.Column("sequence", sa.Integer(), nullable=True)),
        ("previous_hash", sa.Column("previous_hash", sa.String(64), nullable=True)),
        ("hash", sa.Column("hash", sa.String(64), nullable=True)),
    ):
        op.add_column("audit_events", column)
        if name in ("user_id", "case_id"):
            op.create_index(f"ix_audit_events_{name}", "audit_events", [name])
    op.create_index("ix_audit_events_target_id", "audit_events", ["target_id"])
    op.create_index("uq_audit_events_sequence", "audit_events", ["sequence"], unique=True)
    # The chain's head: one row, locked by each commit that appends to the trail.
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute("INSERT INTO audit_chain (id, sequence, hash) VALUES (1, 0, '" + "0" * 64 + "')")


def downgrade() -> None:
    raise NotImplementedError("0003 adds people, walls and the audit chain; restore a backup to go back")
