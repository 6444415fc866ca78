"""tasks that follow the case: a follow-up date, a title for a task made by hand, and
why a task closed itself

staff_tasks.follow_up_on: the day a staff member wants to look at it again (shown on
their Today page); title: what a task made by hand is about (kind "manual");
closed_reason: when a task closed itself because its subject resolved (closed_by stays
empty), the Dutch reason shown ("er is een vrijwilliger bevestigd"). Kinds are stored as
plain strings, so the new kind needs no type change.

Revision ID: 0036
Revises: 0032
Create Date: 2026-12-04 19:55:00
"""

import sqlalchemy as sa
from alembic import op


revision = "0036"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("title", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("closed_reason", sa.String(length=200), nullable=True))
        batch_op.create_index("ix_staff_tasks_follow_up_on", ["follow_up_on"], unique=False)


def downgrade():
    with op.batch_alter_table("staff_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_tasks_follow_up_on")
        batch_op.drop_column("closed_reason")
        batch_op.drop_column("title")
        batch_op.drop_column("follow_up_on")
