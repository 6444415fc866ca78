"""Registering tells nobody whether an address has an account; the emailed link opens it."""

import email
import email.policy
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.integration.test_accounts import VALID
from voorelkaar.db import utcnow
from voorelkaar.models import OutboxMessage, Role, User, UserSession

CONFIRM = "/registreren/bevestigen/"
CHECK_EMAIL = "/registreren/kijk-in-uw-email"
NOT_CONFIRMED = "U moet eerst uw e-mailadres bevestigen"


def register(forms, **changes):
    data = {**VALID, **changes}
    return forms.post("/registreren", {k: v for k, v in data.items() if v is not None})


class Inbox:
    """The file outbox after a dispatch: every email sent so far, oldest first."""

    def __init__(self, app, db, directory):
        self.app, self.db, self.directory = app, db, directory

    def messages(self) -> list:
        from voorelkaar.notify import dispatch_outbox

        with self.app.app_context():
            dispatch_outbox(self.db, utcnow())
        files = sorted(self.directory.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in files
        ]

    def to(self, address: str) -> list:
        return [message for message in self.messages() if message["To"] == address]

    def link(self, address: str, fragment: str) -> str:
        """The path of the link containing fragment in the newest email to address."""
        body = self.to(address)[-1].get_body(("plain",)).get_content()
        line = next(line for line in body.splitlines() if fragment in line)
        return line.strip().removeprefix("http://localhost")


@pytest.fixture
def inbox(app, db, outbox_dir):
    return Inbox(app, db, outbox_dir)


def later(monkeypatch, **delta):
    """Move the clock of the account services forward: a quarter of an hour has passed."""
    from voorelkaar.auth import services

    moved = utcnow() + timedelta(**delta)
    monkeypatch.setattr(services, "utcnow", lambda: moved)


def confirm(forms, path):
    """Open the emailed link, and press its one button."""
    return forms.post(path, {})


# --- the same answer for every address -----------------------------------------------------

VARYING = re.compile(r'(name="csrf_token"[^>]*value=|nonce=)"[^"]*"')


def answer(app, address: str) -> tuple[int, str, int, str]:
    """(status, where to, status, page) of registering with address, in a fresh browser."""
    from tests.conftest import Forms

    forms = Forms(app.test_client())
    posted = register(forms, email=address)
    page = forms.client.get(posted.headers["Location"])
    body = VARYING.sub(r'\1"…"', page.get_data(as_text=True)).replace(address, "ADRES")
    return posted.status_code, posted.headers["Location"], page.status_code, body


def test_a_known_a_waiting_and_a_new_address_get_the_same_answer(app, db, resident, caplog):
    caplog.set_level(logging.DEBUG)
    waiting = answer(app, "wacht@example.nl")  # makes an account that waits for its link
    new = answer(app, "nieuw@example.nl")
    known = answer(app, "inwoner@example.nl")
    again = answer(app, "wacht@example.nl")
    assert new == known == again == waiting
    status, location, page_status, body = new
    assert (status, location, page_status) == (302, CHECK_EMAIL, 200)
    assert "Kijk in uw e-mail" in body and "<strong>ADRES</strong>" in body
    assert "ongewenste e-mail" in body  # how to reach a person: only with a face (test_face)
    assert "Er is al een account" not in body
    for address in ("wacht@example.nl", "nieuw@example.nl", "inwoner@example.nl"):
        assert address not in caplog.text  # no personal data in the logs


def test_every_address_costs_one_password_hash(forms, db, resident, monkeypatch):
    from voorelkaar.auth import passwords

    hashed = []
    real = passwords.hash_password
    monkeypatch.setattr(passwords, "hash_password", lambda p: hashed.append(p) or real(p))
    for address in ("nieuw@example.nl", "inwoner@example.nl", "nieuw@example.nl"):
        hashed.clear()
        assert register(forms, email=address).status_code == 302
        assert len(hashed) == 1, address


def test_the_owner_of_a_known_address_is_warned_and_nothing_changes(
    forms, auth, db, inbox, resident
):
    before = (resident.name, resident.password_hash, resident.postcode, resident.role_set)
    other = "een heel ander wachtwoord dan dit"
    register(
        forms,
        email="Inwoner@Example.nl",
        name="Iemand Anders",
        password=other,
        password_repeat=other,
    )
    db.refresh(resident)
    assert (resident.name, resident.password_hash, resident.postcode, resident.role_set) == before
    assert db.scalar(select(func.count(User.id))) == 1

    (warning,) = inbox.to("inwoner@example.nl")
    assert warning["Subject"] == "Iemand wilde een account maken met uw e-mailadres"
    text = warning.get_body(("plain",)).get_content()
    assert "Was u dat? Log dan in of kies een nieuw wachtwoord." in text
    assert "http://localhost/login" in text and "http://localhost/wachtwoord-vergeten" in text
    assert "Was u dit niet? Dan hoeft u niets te doen." in text
    assert "Iemand Anders" not in text
    assert auth.login("inwoner@example.nl", other).status_code != 302
    assert auth.login("inwoner@example.nl").status_code == 302


def test_the_warning_goes_in_the_owners_language(forms, db, inbox, resident):
    resident.locale = "en"
    db.commit()
    register(forms, email="inwoner@example.nl")
    (warning,) = inbox.to("inwoner@example.nl")
    assert warning["Subject"] == "Someone wanted to create an account with your email address"


# --- the link ------------------------------------------------------------------------------


def test_a_new_account_waits_for_its_link_which_logs_in_once(
    forms, client, auth, db, inbox, meppel
):
    register(forms)
    user = db.scalar(select(User).where(User.email == "riek@example.nl"))
    assert user.email_confirmed_at is None
    assert user.role_set == {Role.RESIDENT, Role.VOLUNTEER}

    (mail,) = inbox.to("riek@example.nl")
    assert mail["Subject"] == "Bevestig uw e-mailadres"
    assert "48 uur" in mail.get_body(("plain",)).get_content()
    link = inbox.link("riek@example.nl", CONFIRM)

    opened = client.get(link)  # as a mail scanner would: nothing changes
    assert opened.status_code == 200
    assert "Account bevestigen" in opened.get_data(as_text=True)
    db.refresh(user)
    assert user.email_confirmed_at is None
    assert db.scalar(select(UserSession)) is None

    assert confirm(forms, link).headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert "Welkom, Riek! Uw account is klaar." in html
    assert "Hulp vragen" in html and "Helpen als vrijwilliger" in html
    assert "Coördinatie" not in html
    db.refresh(user)
    assert user.email_confirmed_at is not None

    auth.logout()
    for spent in (client.get(link), confirm(forms, link)):
        assert spent.status_code == 400
        assert "Deze link werkt niet meer" in spent.get_data(as_text=True)
    assert "Welkom, Riek" not in client.get("/").get_data(as_text=True)
    assert auth.login("riek@example.nl").status_code == 302


def test_logging_in_before_confirming_says_so_and_offers_the_email_again(
    forms, auth, db, inbox, meppel, monkeypatch
):
    register(forms)
    response = auth.login("riek@example.nl")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert NOT_CONFIRMED in html
    assert 'action="/registreren/opnieuw-sturen"' in html
    assert 'name="email" value="riek@example.nl"' in html
    assert db.scalar(select(UserSession)) is None
    # Only who knows the password hears it: a wrong one gets the usual answer.
    wrong = auth.login("riek@example.nl", "dit is het niet hoor").get_data(as_text=True)
    assert NOT_CONFIRMED not in wrong and "horen niet bij elkaar" in wrong

    later(monkeypatch, minutes=16)
    forms.post("/registreren/opnieuw-sturen", {"email": "riek@example.nl"}, page="/login")
    assert len(inbox.to("riek@example.nl")) == 2
    assert confirm(forms, inbox.link("riek@example.nl", CONFIRM)).status_code == 302


def test_an_expired_link_is_refused_and_offers_a_new_one(
    forms, client, db, inbox, meppel, monkeypatch
):
    from itsdangerous import TimestampSigner

    register(forms)
    link = inbox.link("riek@example.nl", CONFIRM)
    now = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now(self) + 48 * 3600 + 5)
    response = client.get(link)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Deze link werkt niet meer" in html and "48 uur" in html
    assert 'action="/registreren/opnieuw-sturen"' in html
    assert confirm(forms, link).status_code == 400
    assert db.scalar(select(User.email_confirmed_at)) is None


@pytest.mark.parametrize("token", ["niet-echt", "x" * 5000, "%00", "eyJ1IjoxfQ.abc.def"])
def test_a_made_up_link_is_refused_politely(client, meppel, token):
    response = client.get(CONFIRM + token)
    assert response.status_code in (400, 404)


# --- twice, and again later ------------------------------------------------------------------


def test_pressing_twice_or_back_and_again_makes_one_account_and_one_email(forms, db, inbox, meppel):
    for _attempt in range(3):
        assert register(forms).headers["Location"] == CHECK_EMAIL
    assert db.scalar(select(func.count(User.id))) == 1
    assert len(inbox.to("riek@example.nl")) == 1


def test_registering_a_waiting_address_again_later_takes_the_new_details_and_link(
    forms, auth, db, inbox, meppel, monkeypatch
):
    register(forms)
    first = inbox.link("riek@example.nl", CONFIRM)
    later(monkeypatch, minutes=16)
    new = "een nieuw en ander wachtwoord"
    register(forms, name="Riek de Boer", password=new, password_repeat=new, roles=["carer"])
    assert db.scalar(select(func.count(User.id))) == 1
    assert len(inbox.to("riek@example.nl")) == 2
    second = inbox.link("riek@example.nl", CONFIRM)
    assert forms.client.get(first).status_code == 400  # the old details' link is dead
    assert confirm(forms, second).status_code == 302
    user = db.scalar(select(User))
    db.refresh(user)
    assert user.name == "Riek de Boer" and user.role_set == {Role.CARER}
    auth.logout()
    assert auth.login("riek@example.nl", new).status_code == 302


def test_the_email_comes_again_at_most_once_a_quarter(forms, db, inbox, meppel, monkeypatch):
    register(forms)
    page = forms.client.get(CHECK_EMAIL).get_data(as_text=True)
    assert "Stuur de e-mail opnieuw" in page
    for _press in range(3):
        response = forms.post(
            "/registreren/opnieuw-sturen", {"email": "riek@example.nl"}, page=CHECK_EMAIL
        )
        assert response.headers["Location"] == CHECK_EMAIL
    assert len(inbox.to("riek@example.nl")) == 1
    later(monkeypatch, minutes=16)
    forms.post("/registreren/opnieuw-sturen", {"email": "riek@example.nl"}, page=CHECK_EMAIL)
    assert len(inbox.to("riek@example.nl")) == 2
    # Both links carry the same details: either one works, once.
    assert confirm(forms, inbox.link("riek@example.nl", CONFIRM)).status_code == 302


def test_asking_again_for_an_unknown_address_looks_the_same_and_sends_nothing(forms, db, meppel):
    response = forms.post(
        "/registreren/opnieuw-sturen",
        {"email": "niemand@example.nl"},
        page="/registreren/opnieuw-sturen",
    )
    assert response.headers["Location"] == CHECK_EMAIL
    html = forms.client.get(CHECK_EMAIL).get_data(as_text=True)
    assert "Als dit e-mailadres bij ons bekend is" in html and "niemand@example.nl" in html
    assert db.scalar(select(OutboxMessage)) is None


def test_asking_again_is_limited_per_address_of_the_computer(app, forms, meppel):
    app.config["CONFIRM_RESEND_LIMIT_PER_IP"] = "2 per hour"
    for expected in (302, 302, 429):
        response = forms.post("/registreren/opnieuw-sturen", {"email": "x@example.nl"})
        assert response.status_code == expected


@pytest.mark.parametrize("address", ["", "geen-adres", "x" * 300 + "@example.nl"])
def test_asking_again_with_a_bad_address_explains_it(forms, db, meppel, address):
    response = forms.post("/registreren/opnieuw-sturen", {"email": address})
    assert response.status_code == 200
    assert 'id="email-error"' in response.get_data(as_text=True)
    assert db.scalar(select(OutboxMessage)) is None


def test_the_check_email_page_without_a_registration_leads_to_the_form(client, meppel):
    response = client.get(CHECK_EMAIL)
    assert response.status_code == 302 and response.headers["Location"] == "/registreren"


# --- other ways in, and clearing up ------------------------------------------------------------


def test_a_reset_link_also_confirms_a_waiting_account(forms, auth, db, inbox, meppel):
    register(forms)
    forms.post("/wachtwoord-vergeten", {"email": "riek@example.nl"})
    path = inbox.link("riek@example.nl", "/wachtwoord-herstellen/")
    new = "mijn nieuwe lange wachtwoord"
    assert forms.post(path, {"password": new, "password_repeat": new}).status_code == 302
    assert db.scalar(select(User.email_confirmed_at)) is not None
    auth.logout()
    assert auth.login("riek@example.nl", new).status_code == 302


def test_accounts_made_by_others_are_confirmed(make_user, db):
    user = make_user(Role.VOLUNTEER)
    assert user.email_confirmed_at is not None


def test_accounts_not_confirmed_within_a_week_are_removed_with_their_email(
    app, forms, db, inbox, resident
):
    from voorelkaar.auth.services import forget_unconfirmed

    register(forms)
    register(forms, email="vers@example.nl")
    db.execute(
        User.__table__.update()
        .where(User.email.in_(["riek@example.nl", "inwoner@example.nl"]))
        .values(created_at=utcnow() - timedelta(days=8))
    )
    db.commit()
    with app.app_context():
        assert forget_unconfirmed(db, utcnow()) == 1
    assert set(db.scalars(select(User.email))) == {"inwoner@example.nl", "vers@example.nl"}
    assert (
        db.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "riek@example.nl"))
        is None
    )
    register(forms)  # the address is free again
    assert db.scalar(select(User.email_confirmed_at).where(User.email == "riek@example.nl")) is None


def test_an_unconfirmed_volunteer_is_not_suggested_until_confirmed(
    app, forms, db, inbox, make_user, make_request
):
    from voorelkaar.matches.services import suggest_volunteers

    asker = make_user(Role.RESIDENT, email="vraag@example.nl")
    item = make_request(asker, title="Boodschappen", postcode="7941 AB")
    register(forms, roles=["volunteer"])

    def suggested():
        with app.test_request_context():
            return [s.volunteer.email for s in suggest_volunteers(db, db.merge(item))]

    assert suggested() == []
    confirm(forms, inbox.link("riek@example.nl", CONFIRM))
    db.expire_all()
    assert suggested() == ["riek@example.nl"]
