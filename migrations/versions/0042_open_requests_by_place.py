"""open requests found by place: an index on help_requests (state, lat, lon, id)

"Hulpvragen bij mij in de buurt" reads the open requests nearest to a volunteer in
growing circles. With only (lat, lon), every request in a box is read, matched, done and
expired ones included (97.5% of them), to find the open few; with the state first, only
the open ones in the box are, and the places and their counts come from the index alone.
With id last, the oldest few requests at one place are read without reading them all.

Revision ID: 0042
Revises: 0040
Create Date: 2026-12-04 22:40:00
"""

from alembic import op

revision = "0042"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.create_index("ix_help_requests_state_lat_lon", ["state", "lat", "lon", "id"])


def downgrade():
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_help_requests_state_lat_lon")
