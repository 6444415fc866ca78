"""the street of an address: a volunteer with a confirmed appointment gets street and number

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 16:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

TABLES = ('users', 'help_requests', 'referrals')


def upgrade():
    # Nullable: addresses from before this revision have no street, and mails fall back
    # to postcode and house number for them.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('street', sa.String(length=100), nullable=True))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('street')
