"""responses with stages, vacancies with what a volunteer needs to know, organisations checkable

vacancy_responses.stage ("new", "talking", "accepted", "declined") and stage_at: where the
organisation is with a volunteer who responded. From "talking" on, the organisation sees
the volunteer's email and phone, and the volunteer sees the contact person's.
vacancies.requires_vog, places, start_date and contact_id (the member volunteers deal
with; mails about the vacancy go to them). organisations.kvk_number, phone, postcode and
house_number: what a coordinator checks an application against.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-04 22:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("vacancy_responses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stage", sa.String(length=20), nullable=False, server_default="new")
        )
        batch_op.add_column(sa.Column("stage_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("requires_vog", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("places", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_vacancies_contact_id_users", "users", ["contact_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kvk_number", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("postcode", sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("house_number", sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        for column in ("house_number", "postcode", "phone", "kvk_number"):
            batch_op.drop_column(column)
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.drop_constraint("fk_vacancies_contact_id_users", type_="foreignkey")
        for column in ("contact_id", "start_date", "places", "requires_vog"):
            batch_op.drop_column(column)
    with op.batch_alter_table("vacancy_responses", schema=None) as batch_op:
        batch_op.drop_column("stage_at")
        batch_op.drop_column("stage")
