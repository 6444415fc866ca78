"""user latitude bands for finding volunteers near a place

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 16:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BANDS_PER_DEGREE = 100  # voorelkaar.geo.distance.BANDS_PER_DEGREE when this was written


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lat_band', sa.Integer(), nullable=True))
    scaled = f'lat * {BANDS_PER_DEGREE}'
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'UPDATE users SET lat_band = floor({scaled})')
    else:
        # SQLite has floor() only when built with its math functions; a cast truncates.
        truncated = f'CAST({scaled} AS INTEGER)'
        op.execute(
            f'UPDATE users SET lat_band = CASE WHEN {scaled} < {truncated} '
            f'THEN {truncated} - 1 ELSE {truncated} END'
        )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('lat_band', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index('ix_users_lat_lon')
        batch_op.create_index('ix_users_lat_band_lon', ['lat_band', 'lon'], unique=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_lat_band_lon')
        batch_op.create_index('ix_users_lat_lon', ['lat', 'lon'], unique=False)
        batch_op.drop_column('lat_band')
