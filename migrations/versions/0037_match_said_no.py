"""a volunteer's "nee" to an invitation is kept apart from "someone else helps"

matches.said_no_at: when the volunteer answered an invitation with no; such a match
reads "wil deze keer niet" to whoever invited them, where a match ended because the
request filled up reads "iemand anders helpt".

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-04 20:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("said_no_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.drop_column("said_no_at")
