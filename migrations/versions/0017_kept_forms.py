"""kept forms: what was typed in a form whose session had ended, for an hour

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 12:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kept_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kept_forms_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_forms')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_kept_forms_key_hash'))
    )
    with op.batch_alter_table('kept_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_forms_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kept_forms_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('kept_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_forms_user_id'))
        batch_op.drop_index(batch_op.f('ix_kept_forms_created_at'))

    op.drop_table('kept_forms')
