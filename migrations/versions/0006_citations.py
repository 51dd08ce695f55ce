"""citations: each page's normalised citations, and the citations a reported judgment is reported as (issue 11)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no default, so adding them rewrites no row on either engine. A page with NULL citations was processed
    # before this release: indexing (casefile reindex) extracts them from its stored text. A document with NULL
    # reported_as has not been looked at; [] means looked at (or corrected) and not a reported judgment.
    op.add_column("pages", sa.Column("citations", sa.JSON(), nullable=True))
    op.add_column("documents", sa.Column("reported_as", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("reported_as")
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("citations")
