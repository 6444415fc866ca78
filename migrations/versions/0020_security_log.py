"""The audit trail becomes the security log too: origin, result, whose data; append-only

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 10:00:00

The actor is a plain number (no foreign key, so no cascade ever writes to the log, and an
erased account keeps its number); typed reasons move to audit_notes, where erasure can
reach them; each new row is sealed into a chain (seal_no, digests) once written. On
PostgreSQL a trigger refuses every UPDATE but that one sealing, TRUNCATE, and DELETE of
rows younger than 180 days, also for the table's owner.
"""

from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

APPEND_ONLY = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.created_at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    -- Sealing, once: only the chain's columns are filled in, nothing else changes.
    IF TG_OP = 'UPDATE' AND OLD.seal_no IS NULL AND OLD.row_hash IS NULL
        AND NEW.seal_no IS NOT NULL AND NEW.row_hash IS NOT NULL
        AND (NEW.id, NEW.actor_id, NEW.action, NEW.subject_type, NEW.subject_id,
             NEW.person_id, NEW.origin, NEW.result, NEW.created_at)
            IS NOT DISTINCT FROM
            (OLD.id, OLD.actor_id, OLD.action, OLD.subject_type, OLD.subject_id,
             OLD.person_id, OLD.origin, OLD.result, OLD.created_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
"""


def upgrade():
    op.create_table(
        'audit_notes',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['event_id'], ['audit_events.id'],
            name=op.f('fk_audit_notes_event_id_audit_events'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_audit_notes')),
    )
    op.execute(
        "INSERT INTO audit_notes (event_id, text) "
        "SELECT id, reason FROM audit_events WHERE reason IS NOT NULL AND reason <> ''"
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_events_actor_id_users', type_='foreignkey')
        batch_op.drop_column('reason')
        batch_op.alter_column('subject_type', existing_type=sa.String(30), nullable=True)
        batch_op.alter_column('subject_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('origin', sa.String(45), nullable=True))
        batch_op.add_column(
            sa.Column('result', sa.String(10), nullable=False, server_default='ok')
        )
        batch_op.add_column(sa.Column('seal_no', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(64), nullable=True))
        batch_op.add_column(sa.Column('row_hash', sa.String(64), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_events_person_id'), ['person_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_seal_no'), ['seal_no'])
    op.execute("UPDATE audit_events SET person_id = subject_id WHERE subject_type = 'users'")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(APPEND_ONLY)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_no_change ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    # Events about no row (a login) had no place in the old table.
    op.execute("DELETE FROM audit_notes WHERE event_id IN "
               "(SELECT id FROM audit_events WHERE subject_id IS NULL)")
    op.execute("DELETE FROM audit_events WHERE subject_id IS NULL")
    op.execute("UPDATE audit_events SET actor_id = NULL "
               "WHERE actor_id NOT IN (SELECT id FROM users)")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
    op.execute(
        "UPDATE audit_events SET reason = "
        "(SELECT text FROM audit_notes WHERE audit_notes.event_id = audit_events.id)"
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_seal_no'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_audit_events_person_id'))
        batch_op.drop_column('row_hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seal_no')
        batch_op.drop_column('result')
        batch_op.drop_column('origin')
        batch_op.drop_column('person_id')
        batch_op.alter_column('subject_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('subject_type', existing_type=sa.String(30), nullable=False)
        batch_op.create_foreign_key(
            'fk_audit_events_actor_id_users', 'users', ['actor_id'], ['id'], ondelete='SET NULL'
        )
    op.drop_table('audit_notes')
