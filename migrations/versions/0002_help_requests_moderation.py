"""help requests and moderation

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:19:39.792570
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


CATEGORIES = [
    ("boodschappen", "Boodschappen", "Shopping"),
    ("wandelen", "Wandelen", "Walking"),
    ("vervoer", "Vervoer", "Transport"),
    ("klussen", "Klussen", "Odd jobs"),
    ("tuin", "Tuin", "Garden"),
    ("gezelschap", "Gezelschap", "Company"),
    ("computerhulp", "Computerhulp", "Computer help"),
    ("thuisadministratie", "Thuisadministratie", "Paperwork"),
    ("anders", "Anders", "Other"),
]


def upgrade():
    categories = op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=50), nullable=False),
    sa.Column('name_nl', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('slug', name=op.f('uq_categories_slug'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('subject_type', sa.String(length=30), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_created_at'), ['created_at'], unique=False)

    op.create_table('help_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'pending', 'open', 'matched', 'done', 'cancelled', 'expired', 'rejected', name='requeststate', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('skills', sa.String(length=500), nullable=False),
    sa.Column('posted_for', sa.Enum('self', 'cared_for', 'resident', name='postedfor', native_enum=False, length=20), nullable=False),
    sa.Column('for_first_name', sa.String(length=50), nullable=True),
    sa.Column('resident_name', sa.String(length=100), nullable=True),
    sa.Column('resident_contact', sa.String(length=254), nullable=True),
    sa.Column('consent_date', sa.Date(), nullable=True),
    sa.Column('schedule', sa.Enum('once', 'weekly', name='schedulekind', native_enum=False, length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('end_time', sa.Time(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('postcode', sa.String(length=7), nullable=False),
    sa.Column('house_number', sa.String(length=10), nullable=False),
    sa.Column('pc4', sa.String(length=4), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=True),
    sa.Column('volunteers_needed', sa.Integer(), nullable=False),
    sa.Column('vulnerable', sa.Boolean(), nullable=False),
    sa.Column('requires_vog', sa.Boolean(), nullable=False),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_help_requests_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_help_requests_category_id_categories')),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_help_requests_neighbourhood_id_neighbourhoods'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_requests'))
    )
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_requests_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_requests_category_id'), ['category_id'], unique=False)
        batch_op.create_index('ix_help_requests_lat_lon', ['lat', 'lon'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_requests_neighbourhood_id'), ['neighbourhood_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_requests_pc4'), ['pc4'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_requests_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_requests_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index('ix_help_requests_state_published', ['state', 'published_at'], unique=False)

    # ### end Alembic commands ###
    op.bulk_insert(
        categories,
        [
            {"slug": slug, "name_nl": nl, "name_en": en, "position": position, "active": True}
            for position, (slug, nl, en) in enumerate(CATEGORIES)
        ],
    )


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_help_requests_state_published')
        batch_op.drop_index(batch_op.f('ix_help_requests_starts_at'))
        batch_op.drop_index(batch_op.f('ix_help_requests_published_at'))
        batch_op.drop_index(batch_op.f('ix_help_requests_pc4'))
        batch_op.drop_index(batch_op.f('ix_help_requests_neighbourhood_id'))
        batch_op.drop_index('ix_help_requests_lat_lon')
        batch_op.drop_index(batch_op.f('ix_help_requests_category_id'))
        batch_op.drop_index(batch_op.f('ix_help_requests_author_id'))

    op.drop_table('help_requests')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_id'))

    op.drop_table('audit_events')
    op.drop_table('categories')
    # ### end Alembic commands ###
