"""alerts that survive a broker outage: documents.alerted_at, notifications' mail queue state (decision 0020)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True))
    # Documents indexed before this column had their alerts job sent then: the sweeper must not send it again.
    op.execute("UPDATE documents SET alerted_at = updated_at WHERE status = 'indexed'")
    op.create_index("ix_documents_status_alerted_at", "documents", ["status", "alerted_at"])
    op.add_column("notifications", sa.Column("mail_queued_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("notifications", sa.Column("mail_error", sa.String(500), nullable=True))
    op.create_index("ix_notifications_unsent", "notifications", ["emailed_at", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_notifications_unsent", "notifications")
    op.drop_column("notifications", "mail_error")
    op.drop_column("notifications", "mail_queued_at")
    op.drop_index("ix_documents_status_alerted_at", "documents")
    op.drop_column("documents", "alerted_at")
