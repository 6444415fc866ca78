"""a post hidden after a report is told apart from one its author withdrew

help_requests.hidden_at, offers.hidden_at, vacancies.hidden_at: when staff hid the post
while handling a report ("verbergen"). The post's state is "cancelled", as before, so
every list and figure treats it as closed; its reject_reason holds the reason the author
was sent, and its pages say "verborgen door de moderatie: <reden>", not "ingetrokken".

Revision ID: 0039
Revises: 0037
Create Date: 2026-12-04 20:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0039"
down_revision = "0037"
branch_labels = None
depends_on = None

POSTS = ("help_requests", "offers", "vacancies")


def upgrade():
    for table in POSTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    for table in POSTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("hidden_at")
