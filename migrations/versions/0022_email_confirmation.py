"""A self-made account is usable once the link emailed to its address has been opened

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-06 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True)
        )
    # Everyone who has an account already could log in with it: they count as confirmed
    # from when the account was made.
    users = sa.table(
        'users',
        sa.column('created_at', sa.DateTime(timezone=True)),
        sa.column('email_confirmed_at', sa.DateTime(timezone=True)),
    )
    op.execute(users.update().values(email_confirmed_at=users.c.created_at))


def downgrade():
    # Without the column, an unconfirmed account would open with its password, though
    # nobody proved the address is theirs. Its password stops working instead; a reset
    # link, sent to the address, still opens it.
    users = sa.table(
        'users',
        sa.column('password_hash', sa.String(255)),
        sa.column('email_confirmed_at', sa.DateTime(timezone=True)),
    )
    op.execute(
        users.update()
        .where(users.c.email_confirmed_at.is_(None))
        .values(password_hash='!onbevestigd')
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
