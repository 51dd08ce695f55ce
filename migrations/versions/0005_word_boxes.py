"""word boxes: each page's words and where they are on its image (decision 0014)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no default: pages processed before this release have no boxes until reprocessed; adding the column
    # rewrites nothing on either engine.
    op.add_column("pages", sa.Column("word_boxes", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("word_boxes")
