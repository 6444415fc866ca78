"""A credential-stuffing run, bounded and on loopback: 1,000 login attempts within one
minute from 50 addresses on 100 accounts, with the production limits.

At most 5 passwords are checked per account per 10 minutes (the security log has one
login.failed row per checked password), and every attacked owner still gets in: the
emailed link (the step-up this design chose) sets a new password and logs them in.
"""

import re
from collections import Counter
from datetime import datetime, timedelta

import time_machine
from sqlalchemy import func, select

from tests.conftest import csrf_token_from
from voorelkaar import audit
from voorelkaar.models import AuditEvent, OutboxMessage, Role

ADDRESSES = [f"198.51.100.{n}" for n in range(1, 51)]  # documentation range (RFC 5737)
ACCOUNTS = 100
ATTEMPTS = 1000
START = datetime(2026, 12, 7, 10, 0, 0)
NEW = "Mijn Nieuwe Wachtwoord Na De Aanval 2026"


def test_a_stuffing_run_checks_at_most_5_passwords_per_account_and_owners_get_in(
    app, db, make_user
):
    people = [
        make_user(Role.RESIDENT, email=f"doelwit{n}@example.nl", name=f"Doel Wit {n}")
        for n in range(ACCOUNTS)
    ]
    statuses = Counter()
    with time_machine.travel(START, tick=False) as clock:
        browsers = {}
        for address in ADDRESSES:
            browser = app.test_client()
            browser.environ_base["REMOTE_ADDR"] = address
            token = csrf_token_from(browser.get("/login").get_data(as_text=True))
            browsers[address] = (browser, token)
        for attempt in range(ATTEMPTS):
            browser, token = browsers[ADDRESSES[attempt % len(ADDRESSES)]]
            target = people[attempt % ACCOUNTS]
            response = browser.post(
                "/login",
                data={"csrf_token": token, "email": target.email, "password": f"gok-{attempt}"},
            )
            statuses[response.status_code] += 1
            clock.shift(timedelta(milliseconds=55))  # 1,000 attempts in 55 seconds

    assert statuses[302] == 0
    assert sum(statuses.values()) == ATTEMPTS and statuses[500] == 0
    checked = Counter(
        dict(
            db.execute(
                select(AuditEvent.person_id, func.count())
                .where(AuditEvent.action == audit.LOGIN_FAILED)
                .group_by(AuditEvent.person_id)
            ).all()
        )
    )
    assert len(checked) == ACCOUNTS
    assert max(checked.values()) <= 5, checked.most_common(3)
    assert sum(checked.values()) <= 5 * ACCOUNTS
    assert statuses[429] >= ATTEMPTS - 5 * ACCOUNTS

    # Every owner was told once, and their link lets them in while guessing goes on.
    mails = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "login_guarded")).all()
    assert sorted(m.user_id for m in mails) == sorted(p.id for p in people)
    with time_machine.travel(START + timedelta(minutes=2), tick=False):
        for mail in mails:
            path = re.search(r"http://localhost(/wachtwoord-herstellen/\S+)", mail.body_text)[1]
            owner = app.test_client()
            owner.environ_base["REMOTE_ADDR"] = "203.0.113.9"
            token = csrf_token_from(owner.get(path).get_data(as_text=True))
            response = owner.post(
                path, data={"csrf_token": token, "password": NEW, "password_repeat": NEW}
            )
            assert response.status_code == 302, mail.user_id
            assert "U bent ingelogd" in owner.get("/").get_data(as_text=True)

    # Ten minutes after the run, the password is checked again as before.
    with time_machine.travel(START + timedelta(minutes=11), tick=False):
        owner = app.test_client()
        token = csrf_token_from(owner.get("/login").get_data(as_text=True))
        response = owner.post(
            "/login", data={"csrf_token": token, "email": people[0].email, "password": NEW}
        )
        assert response.status_code == 302
