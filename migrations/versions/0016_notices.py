"""notices on the overview, who invited a volunteer, and a pause with an end date

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_notices_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_notices_match_id_matches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['help_requests.id'], name=op.f('fk_notices_request_id_help_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('key', name=op.f('uq_notices_key'))
    )

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_user_seen', ['user_id', 'seen_at', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_match_id'), ['match_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_request_id'), ['request_id'], unique=False)

    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('offer_reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('refused_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_matches_invited_by_id_users'), 'users', ['invited_by_id'], ['id'], ondelete='SET NULL')
    # Offers made before this migration keep offered_at empty: they show under "Actie nodig",
    # but are not chased, lest every old offer send a reminder and open a task at once.

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_until', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('paused_until')

    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_matches_invited_by_id_users'), type_='foreignkey')
        batch_op.drop_column('refused_at')
        batch_op.drop_column('offer_reminded_at')
        batch_op.drop_column('offered_at')
        batch_op.drop_column('invited_by_id')

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_request_id'))
        batch_op.drop_index(batch_op.f('ix_notices_match_id'))
        batch_op.drop_index('ix_notices_user_seen')

    op.drop_table('notices')
