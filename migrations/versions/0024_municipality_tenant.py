"""The municipality as tenant: its face and settings, and every person, post, referral and
task belongs to one; staff work for one or more; an account may have no email

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

FACE = (
    ("site_name", 100),
    ("org_name", 150),
    ("org_phone", 20),
    ("org_email", 254),
    ("org_address", 200),
    ("org_hours", 100),
    ("controller_name", 150),
    ("privacy_contact", 254),
)
OWNED = ("help_requests", "offers", "vacancies", "referrals", "staff_tasks")


def upgrade():
    with op.batch_alter_table("municipalities", schema=None) as batch_op:
        for name, length in FACE:
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )
        batch_op.add_column(sa.Column("host", sa.String(length=253), nullable=True))
        batch_op.add_column(sa.Column("logo_file", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("logo_type", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint("uq_municipalities_host", ["host"])

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=True)
        batch_op.add_column(sa.Column("municipality_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_users_municipality_id", ["municipality_id"])
        batch_op.create_foreign_key(
            "fk_users_municipality_id_municipalities",
            "municipalities",
            ["municipality_id"],
            ["id"],
            ondelete="SET NULL",
        )
    for table in OWNED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("municipality_id", sa.Integer(), nullable=True))
            batch_op.create_index(f"ix_{table}_municipality_id", ["municipality_id"])
            batch_op.create_foreign_key(
                f"fk_{table}_municipality_id_municipalities",
                "municipalities",
                ["municipality_id"],
                ["id"],
                ondelete="SET NULL",
            )

    op.create_table(
        "municipality_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            ondelete="CASCADE",
            name="fk_municipality_staff_user_id_users",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            ondelete="CASCADE",
            name="fk_municipality_staff_municipality_id_municipalities",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_municipality_staff"),
        sa.UniqueConstraint("user_id", "municipality_id", name="uq_municipality_staff"),
    )
    op.create_index("ix_municipality_staff_user_id", "municipality_staff", ["user_id"])
    op.create_index(
        "ix_municipality_staff_municipality_id", "municipality_staff", ["municipality_id"]
    )
    op.create_table(
        "municipality_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            ondelete="CASCADE",
            name="fk_municipality_categories_municipality_id_municipalities",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            ondelete="CASCADE",
            name="fk_municipality_categories_category_id_categories",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_municipality_categories"),
        sa.UniqueConstraint("municipality_id", "category_id", name="uq_municipality_categories"),
    )
    op.create_index(
        "ix_municipality_categories_municipality_id",
        "municipality_categories",
        ["municipality_id"],
    )

    # What exists belonged to the one municipality the installation served: a person to
    # the municipality of their wijk, else the first; a post, referral or task to its
    # person's; every back-office account works for its own municipality.
    op.execute("UPDATE municipalities SET site_name = name || ' voor elkaar' WHERE site_name = ''")
    op.execute(
        "UPDATE users SET municipality_id = (SELECT n.municipality_id FROM neighbourhoods n"
        " WHERE n.id = users.neighbourhood_id)"
    )
    op.execute(
        "UPDATE users SET municipality_id = (SELECT min(id) FROM municipalities)"
        " WHERE municipality_id IS NULL"
    )
    for table, person in (
        ("help_requests", "author_id"),
        ("offers", "author_id"),
        ("vacancies", "author_id"),
        ("referrals", "consultant_id"),
        ("staff_tasks", "person_id"),
    ):
        op.execute(
            f"UPDATE {table} SET municipality_id = (SELECT u.municipality_id FROM users u"
            f" WHERE u.id = {table}.{person})"
        )
        op.execute(
            f"UPDATE {table} SET municipality_id = (SELECT min(id) FROM municipalities)"
            " WHERE municipality_id IS NULL"
        )
    op.execute(
        "INSERT INTO municipality_staff (user_id, municipality_id)"
        " SELECT DISTINCT u.id, u.municipality_id FROM users u JOIN user_roles r"
        " ON r.user_id = u.id WHERE r.role IN ('staff', 'consultant', 'admin')"
        " AND u.municipality_id IS NOT NULL"
    )


def downgrade():
    op.drop_table("municipality_categories")
    op.drop_table("municipality_staff")
    for table in OWNED + ("users",):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                f"fk_{table}_municipality_id_municipalities", type_="foreignkey"
            )
            batch_op.drop_index(f"ix_{table}_municipality_id")
            batch_op.drop_column("municipality_id")
    # Accounts without email cannot stay: they are given a placeholder nobody receives.
    op.execute("UPDATE users SET email = 'geen-email-' || id || '@invalid' WHERE email IS NULL")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=False)
    with op.batch_alter_table("municipalities", schema=None) as batch_op:
        batch_op.drop_constraint("uq_municipalities_host", type_="unique")
        for column in ("logo_type", "logo_file", "host") + tuple(name for name, _ in FACE):
            batch_op.drop_column(column)
