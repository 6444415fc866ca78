"""figure rollups: the figures page, its CSV files and the API read sums per month, wijk and
category instead of counting raw rows on every view

figure_rollups holds the sums (and the exact days-to-first-match and the active volunteers
per month, so medians and distinct counts stay exact); figure_stale lists the months a
change made stale, written in the same transaction as the change; figure_rollup_state is
the row a refresh locks. The first run of the "cijfers" job (or `flask --app wsgi figures
rebuild`) fills the rollups from the whole history.

Revision ID: 0041
Revises: 0042
Create Date: 2026-12-04 22:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0041"
down_revision = "0042"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "figure_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("bucket", sa.Float(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_rollups")),
    )
    with op.batch_alter_table("figure_rollups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_figure_rollups_read",
            [
                "municipality_id",
                "measure",
                "month",
                "neighbourhood_id",
                "category_id",
                "bucket",
                "value",
            ],
            unique=False,
        )
        batch_op.create_index("ix_figure_rollups_slice", ["month", "municipality_id"], unique=False)

    op.create_table(
        "figure_stale",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_stale")),
    )
    op.create_table(
        "figure_rollup_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_rollup_state")),
    )


def downgrade():
    op.drop_table("figure_rollup_state")
    op.drop_table("figure_stale")
    with op.batch_alter_table("figure_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_figure_rollups_slice")
        batch_op.drop_index("ix_figure_rollups_read")
    op.drop_table("figure_rollups")
