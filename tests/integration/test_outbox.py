"""Email through the outbox: written with its cause, sent once, retried on failure."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from voorelkaar.db import utcnow
from voorelkaar.models import OutboxMessage, StaffTask, TaskKind
from voorelkaar.notify import dispatch_outbox, enqueue_email


def _queue(app, db, user, key="test:1"):
    with app.test_request_context():
        enqueue_email(
            db,
            key=key,
            user=user,
            template="password_reset",
            kind="password_reset",
            link="http://localhost/x",
            minutes=60,
        )
        db.commit()


def test_a_queued_email_reaches_the_smtp_server_once_with_text_and_html(
    smtp, app, db, in_app, resident
):
    _queue(app, db, resident)
    with in_app():
        assert dispatch_outbox(db, utcnow()) == 1
        assert dispatch_outbox(db, utcnow()) == 0
    (message,) = smtp.wait_for(1)
    assert message["To"] == "inwoner@example.nl"
    assert message["Message-ID"].endswith("@voorelkaar.nl>")
    assert message.get_body(("plain",)) is not None
    assert message.get_body(("html",)) is not None
    row = db.scalar(select(OutboxMessage))
    db.refresh(row)
    assert row.sent_at is not None


def test_the_same_idempotency_key_cannot_be_queued_twice(app, db, resident):
    from sqlalchemy.exc import IntegrityError

    _queue(app, db, resident)
    with pytest.raises(IntegrityError):
        _queue(app, db, resident)
    db.rollback()


def test_an_email_in_english_for_a_user_who_chose_english(app, db, in_app, outbox_dir, resident):
    resident.locale = "en"
    db.commit()
    _queue(app, db, resident)
    subject = db.scalar(select(OutboxMessage.subject))
    assert subject == "Choose a new password"


def test_an_unreachable_mail_server_costs_no_attempt_and_the_email_waits_until_its_lifetime(
    app_config, db, resident
):
    from voorelkaar import create_app

    app_config["MAIL_URL"] = "smtp://127.0.0.1:1"
    app = create_app(app_config)
    _queue(app, db, resident)
    row = db.scalar(select(OutboxMessage))
    due = row.send_after
    lifetime = timedelta(hours=app.config["OUTBOX_GIVE_UP_AFTER_HOURS"])
    now = utcnow()
    with app.app_context():
        assert dispatch_outbox(db, now) == 0
        db.refresh(row)
        assert row.attempts == 0 and row.sent_at is None and row.failed_at is None
        assert row.send_after == due  # it keeps its place: tried again in the next pass
        assert row.last_error == "MailError"
        dispatch_outbox(db, row.created_at + lifetime - timedelta(minutes=1))
        db.refresh(row)
        assert row.attempts == 0 and row.failed_at is None
        assert db.scalar(select(StaffTask)) is None

        dispatch_outbox(db, row.created_at + lifetime)
        db.refresh(row)
        assert row.failed_at is not None and row.attempts == 0
        assert row.last_error == "MailError"
        # Given up: staff get a task to reach the person another way.
        task = db.scalar(select(StaffTask))
        assert task.kind == TaskKind.MAIL_FAILED and task.person_id == resident.id
    app.extensions["voorelkaar.engine"].dispose()


def test_a_claimed_message_is_not_sent_by_a_second_dispatcher(app, db, in_app, resident):
    from voorelkaar.notify.outbox import claim_due

    _queue(app, db, resident)
    with in_app():
        first = claim_due(db, utcnow())
        second = claim_due(db, utcnow())
    assert len(first) == 1 and second == []


def test_send_due_prints_what_it_did(runner, app, db, resident):
    _queue(app, db, resident)
    result = runner.invoke(args=["send-due"])
    assert result.exit_code == 0, result.output
    assert "outbox: 1" in result.output
