"""figures by municipality: the figures index also holds municipality_id, so a period of a
viewer's municipalities is still counted from the index alone

The figures read raw rows through SQL aggregates (there are no rollup tables), always cut
to the municipalities in view; help_requests.municipality_id (migration 0024) joins the
covering index that migration 0011 made.

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-04 15:00:00
"""

from alembic import op


revision = "0028"
down_revision = "0025"
branch_labels = None
depends_on = None

BEFORE = ["published_at", "neighbourhood_id", "category_id", "state", "posted_for", "id"]
AFTER = ["published_at", "municipality_id", "neighbourhood_id", "category_id", "state", "posted_for", "id"]


def upgrade():
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_help_requests_figures")
        batch_op.create_index("ix_help_requests_figures", AFTER, unique=False)


def downgrade():
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_help_requests_figures")
        batch_op.create_index("ix_help_requests_figures", BEFORE, unique=False)
