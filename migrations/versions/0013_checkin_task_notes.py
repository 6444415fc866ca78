"""check-in tasks keep no copy of the carer's note: only their first line stays

The task page now builds a check-in task's text from the check-in itself, so the
carer's note and earlier answers go when the check-in goes (account deletion). Tasks
made before kept a copy in staff_tasks.detail; keep its first line ("Antwoord 'zwaar'
op de vraag van ...") and drop the rest.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 21:05:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    detail = sa.column('detail', sa.Text)
    if bind.dialect.name == 'postgresql':
        first_line = sa.func.split_part(detail, '\n', 1)
    else:
        newline = sa.func.instr(detail, '\n')
        first_line = sa.func.substr(detail, 1, newline - 1)
    tasks = sa.table('staff_tasks', sa.column('kind', sa.String), detail)
    op.execute(
        tasks.update()
        .where(tasks.c.kind.in_(('checkin_heavy', 'checkin_silent')), detail.contains('\n'))
        .values(detail=first_line)
    )


def downgrade():
    pass  # the notes are gone; the check-ins still hold them while they exist
