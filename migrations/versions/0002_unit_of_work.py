"""one document per bytes per case, processing leases, page orientation

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Concurrent uploads once stored the same bytes several times in a case. Keep the oldest row of each set; the
    # others' pages go with them (their index entries are removed by `casefile verify --repair`).
    op.execute(
        """
        DELETE FROM documents WHERE id IN (
            SELECT d.id FROM documents d
            WHERE EXISTS (
                SELECT 1 FROM documents older
                WHERE older.case_id = d.case_id AND older.sha256 = d.sha256
                  AND (older.created_at < d.created_at OR (older.created_at = d.created_at AND older.id < d.id))
            )
        )
        """
    )
    # A unique index rather than a constraint: SQLite adds it in place, without copying the table.
    op.drop_index("ix_documents_case_sha256", table_name="documents")
    op.create_index("uq_documents_case_sha256", "documents", ["case_id", "sha256"], unique=True)
    op.add_column("documents", sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("pages", sa.Column("rotation", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("pages", sa.Column("skew_degrees", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("skew_degrees")
        batch_op.drop_column("rotation")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
    op.drop_index("uq_documents_case_sha256", table_name="documents")
    op.create_index("ix_documents_case_sha256", "documents", ["case_id", "sha256"], unique=False)
