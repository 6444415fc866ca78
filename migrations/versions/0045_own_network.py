"""own network: a resident's network members, the network check, requests asked in the
own circle first

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-05 04:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0045"
down_revision = "0044"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "network_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "owner_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "municipality_id",
            sa.Integer(),
            sa.ForeignKey("municipalities.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("first_name", sa.String(60), nullable=False),
        sa.Column("relation", sa.String(20), nullable=False),
        sa.Column("closeness", sa.Integer(), nullable=False),
        sa.Column("reach", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("categories", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invite_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("invite_code", sa.String(12), nullable=True, unique=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "member_user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
    )
    for column in ("owner_id", "municipality_id", "member_user_id"):
        op.create_index(f"ix_network_members_{column}", "network_members", [column])
    op.create_table(
        "network_checks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "owner_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "municipality_id",
            sa.Integer(),
            sa.ForeignKey("municipalities.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gaps", sa.Integer(), nullable=True),
    )
    op.create_index("ix_network_checks_owner_id", "network_checks", ["owner_id"])
    op.create_index("ix_network_checks_municipality_id", "network_checks", ["municipality_id"])
    op.create_index(
        "ix_network_checks_finished", "network_checks", ["finished_at", "municipality_id"]
    )
    op.create_table(
        "circle_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("help_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "member_id",
            sa.Integer(),
            sa.ForeignKey("network_members.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.String(10), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_circle_answers_request_id", "circle_answers", ["request_id"])
    op.create_index("ix_circle_answers_member_id", "circle_answers", ["member_id"])
    op.create_index("uq_circle_answers", "circle_answers", ["request_id", "member_id"], unique=True)
    with op.batch_alter_table("help_requests") as batch:
        batch.add_column(
            sa.Column("asked_circle", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("circle_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("circle_released_asked_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("matches") as batch:
        batch.add_column(
            sa.Column("via_circle", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("matches") as batch:
        batch.drop_column("via_circle")
    with op.batch_alter_table("help_requests") as batch:
        batch.drop_column("circle_released_asked_at")
        batch.drop_column("circle_until")
        batch.drop_column("asked_circle")
    op.drop_table("circle_answers")
    op.drop_table("network_checks")
    op.drop_table("network_members")
