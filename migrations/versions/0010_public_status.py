"""public case status flags on units and cases (issue 12, decision 0023)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place with a default, so existing rows read false: nothing becomes public by upgrading.
    op.add_column("units", sa.Column("public_status", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("cases", sa.Column("public_status", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("cases", "public_status")
    op.drop_column("units", "public_status")
