"""API tokens expire (at most a year after they are made) and warn before they do

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 18:00:00
"""

from datetime import UTC, timedelta

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('expiry_warned_at', sa.DateTime(timezone=True), nullable=True))
    # Tokens made before this revision run for a year from when they were made.
    tokens = sa.table(
        'api_tokens',
        sa.column('id', sa.Integer),
        sa.column('created_at', sa.DateTime(timezone=True)),
        sa.column('expires_at', sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    for token_id, created_at in connection.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        made = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
        connection.execute(
            tokens.update()
            .where(tokens.c.id == token_id)
            .values(expires_at=(made + timedelta(days=365)).astimezone(UTC))
        )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index(batch_op.f('ix_api_tokens_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_expires_at'))
        batch_op.drop_column('expiry_warned_at')
        batch_op.drop_column('expires_at')
