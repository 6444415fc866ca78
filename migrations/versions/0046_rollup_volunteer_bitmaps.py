"""figures: active volunteers as one bitmap per month, wijk and category; the delay
histogram also over all wijken and categories

The rollup kept a row per volunteer per month, wijk and category ("volunteer", the id in
bucket): at a million requests that was most of the table and most of /cijfers' time.
Now one row per group holds the ids as a Roaring bitmap (members). The old rows go, and
their months are marked stale so that the "cijfers" job (or `figures rebuild`) writes
them again in the new form.

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-05 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0046"
down_revision = "0045"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("figure_rollups") as batch:
        batch.add_column(sa.Column("members", sa.LargeBinary(), nullable=True))
    op.execute(
        "INSERT INTO figure_stale (month, municipality_id) "
        "SELECT DISTINCT month, municipality_id FROM figure_rollups"
    )
    op.execute("DELETE FROM figure_rollups WHERE measure = 'volunteer'")


def downgrade():
    op.execute(
        "INSERT INTO figure_stale (month, municipality_id) "
        "SELECT DISTINCT month, municipality_id FROM figure_rollups WHERE measure = 'volunteer'"
    )
    op.execute("DELETE FROM figure_rollups WHERE measure IN ('volunteer', 'delay:all')")
    with op.batch_alter_table("figure_rollups") as batch:
        batch.drop_column("members")
