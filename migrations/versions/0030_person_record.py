"""person record: contact notes say how long and by which channel; a request posted on
someone's behalf knows whose record it is about and whether they share their contact

contact_notes.minutes: how long the contact took (the kind gains "e-mail"; kinds are
stored as plain strings, so no type changes). help_requests.resident_id: the record of
the resident a request was posted for (staff from the person page); and
resident_shares_contact: the resident agreed that the volunteer of a confirmed match
sees their name and phone number (else contact goes through whoever posted it).

Revision ID: 0030
Revises: 0028
Create Date: 2026-12-04 19:30:00
"""

import sqlalchemy as sa
from alembic import op


revision = "0030"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contact_notes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("minutes", sa.Integer(), nullable=True))
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resident_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "resident_shares_contact",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch_op.create_index("ix_help_requests_resident_id", ["resident_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_help_requests_resident_id_users",
            "users",
            ["resident_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_constraint("fk_help_requests_resident_id_users", type_="foreignkey")
        batch_op.drop_index("ix_help_requests_resident_id")
        batch_op.drop_column("resident_shares_contact")
        batch_op.drop_column("resident_id")
    with op.batch_alter_table("contact_notes", schema=None) as batch_op:
        batch_op.drop_column("minutes")
