"""Referrals can be withdrawn (the date stays, the person goes) and sent again with a new
code (the old one is kept only to say that it was replaced)

Revision ID: 0032
Revises: 0028
Create Date: 2026-12-04 19:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0032"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("referrals") as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_referrals_withdrawn_at"), ["withdrawn_at"])
    op.create_table(
        "replaced_referral_codes",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_replaced_referral_codes_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_replaced_referral_codes")),
    )
    op.create_index(
        op.f("ix_replaced_referral_codes_referral_id"),
        "replaced_referral_codes",
        ["referral_id"],
    )


def downgrade():
    op.drop_index(
        op.f("ix_replaced_referral_codes_referral_id"), table_name="replaced_referral_codes"
    )
    op.drop_table("replaced_referral_codes")
    with op.batch_alter_table("referrals") as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_withdrawn_at"))
        batch_op.drop_column("withdrawn_at")
