"""public case status flags on units and cases; the reports' covering indexes (issue 12, decision 0023)

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
    # The reports group pending cases by court, unit and officer: these indexes hold every column those queries read,
    # so they scan an index instead of the cases' wide rows (parties, tags).
    op.create_index("ix_cases_court_status", "cases", ["court", "status"])
    op.create_index("ix_cases_unit_status", "cases", ["unit_id", "status", "sealed", "court"])
    op.create_index("ix_cases_status_id", "cases", ["status", "id"])


def downgrade() -> None:
    for name in ("ix_cases_status_id", "ix_cases_unit_status", "ix_cases_court_status"):
        op.drop_index(name, "cases")
    op.drop_column("cases", "public_status")
    op.drop_column("units", "public_status")
