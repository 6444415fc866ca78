"""The face of a municipality: its name and the people behind the site, on every page and mail.

No text may send a visitor to contact that is not there: every template is rendered, once
with a municipality whose face is filled in and once with an empty one, and "bellen",
"mailen", "neem contact" and the like must stand beside a phone number or an address.
"""

import inspect
import re
from pathlib import Path

import pytest
from jinja2 import ChainableUndefined
from sqlalchemy import select

from tests.conftest import csrf_token_from
from tests.integration import test_referrals
from voorelkaar.demo.faces import DEMO_FACES, apply_faces
from voorelkaar.models import Municipality, OutboxMessage

PACKAGE = Path(__file__).resolve().parents[2] / "voorelkaar"
CONTACT_WORDS = re.compile(r"\b(bellen|mailen|bel ons|mail ons|neem contact)\b", re.IGNORECASE)
PHONE = re.compile(r"\b0\d{2,3}[ -]?\d{2,3}[ -]?\d{2,4}\b|\+31[\d -]{9,}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
POSTCODE = re.compile(r"\b\d{4} ?[A-Z]{2}\b")
NEAR = 300  # characters either side of a contact word in which the contact must stand
MEPPEL_HOST, WESTERVELD_HOST = "meppel.voorbeeld.test", "westerveld.voorbeeld.test"


def all_templates() -> list[str]:
    """Every template under voorelkaar/**/templates, by the name the app loads it with."""
    names = set()
    for path in PACKAGE.rglob("*"):
        if path.suffix in (".html", ".txt") and "templates" in path.parts and path.is_file():
            last = max(i for i, part in enumerate(path.parts) if part == "templates")
            names.add("/".join(path.parts[last + 1 :]))
    return sorted(names)


class Lenient(ChainableUndefined):
    """A missing variable: its attributes, items and calls are missing too, never an error."""

    def __call__(self, *args, **kwargs):
        return self

    def __lt__(self, other):
        return False

    __le__ = __gt__ = __ge__ = __lt__

    def __int__(self):
        return 0


def forgiving(function):
    """A filter or global that yields an empty string where the permissive context is too thin."""

    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except Exception:
            return ""

    if hasattr(function, "jinja_pass_arg"):  # keeps jinja's pass_context mark
        call.jinja_pass_arg = function.jinja_pass_arg
    return call


def visible_text(html: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    text = re.sub(r'href="(?:tel|mailto):([^"]*)"', r" \1 ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text)


def dangling_contact_words(text: str) -> list[str]:
    """Each contact word without a phone number, email address or postcode near it."""
    found = []
    for match in CONTACT_WORDS.finditer(text):
        around = text[max(0, match.start() - NEAR) : match.end() + NEAR]
        if not (PHONE.search(around) or EMAIL.search(around) or POSTCODE.search(around)):
            found.append(around.strip())
    return found


def empty_face() -> Municipality:
    return Municipality(name="Leegdorp", slug="leegdorp")


def filled_face() -> Municipality:
    return Municipality(name="Meppel", slug="meppel", **DEMO_FACES["meppel"])


@pytest.mark.parametrize("make_face", [filled_face, empty_face], ids=["filled", "empty"])
def test_no_template_points_to_contact_that_is_not_there(app, make_face):
    env = app.jinja_env.overlay(undefined=Lenient)
    env.filters.update({name: forgiving(f) for name, f in app.jinja_env.filters.items()})
    env.globals.update(
        {
            name: forgiving(f)
            for name, f in app.jinja_env.globals.items()
            if inspect.isfunction(f) and name not in ("lipsum", "cycler", "joiner")
        }
    )
    face = make_face()
    names = all_templates()
    assert len(names) > 150 and "base.html" in names and "emails/_face.txt" in names
    dangling, unrendered, rendered = {}, [], {}
    with app.test_request_context("/"):
        for name in names:
            context = {"municipality": face}
            app.update_template_context(context)
            context["municipality"] = face  # not the visitor's: the face of this run
            try:
                output = env.get_template(name).render(context)
            except Exception as error:  # a template the thin context cannot carry
                unrendered.append(f"{name}: {type(error).__name__}: {error}")
                continue
            text = rendered[name] = visible_text(output) if name.endswith(".html") else output
            if found := dangling_contact_words(text):
                dangling[name] = found
    assert dangling == {}
    # The face did reach the templates: the layout says it, or leaves it out.
    assert not face.org_phone or face.org_phone in rendered["base.html"]
    assert ("Liever bellen?" in rendered["base.html"]) == bool(face.org_phone)
    # Nearly every template renders with the thin context; those that do not are few and
    # are read as source below, so none escapes the check.
    assert len(unrendered) < len(names) // 10, unrendered
    for line in unrendered:
        name = line.split(":", 1)[0]
        source = env.loader.get_source(env, name)[0]
        for match in CONTACT_WORDS.finditer(visible_text(source)):
            pytest.fail(f"{name} cannot be rendered here and says {match.group(0)!r}")


def test_the_words_are_caught_without_a_number_and_allowed_beside_one():
    assert dangling_contact_words("U kunt ons bellen of mailen.")
    assert dangling_contact_words("Neem contact met ons op.")
    assert not dangling_contact_words("Liever bellen? 0522 000 001, ma-vr 9-17")
    assert not dangling_contact_words("Mailen kan ook: info@meppel-demo.example.nl.")


@pytest.fixture
def faces(db, meppel, westerveld):
    """Both demo municipalities with their face, each on its own host name."""
    apply_faces(db)
    meppel.host, westerveld.host = MEPPEL_HOST, WESTERVELD_HOST
    db.commit()
    return meppel, westerveld


def test_apply_faces_fills_only_empty_fields_and_is_idempotent(db, meppel, westerveld):
    meppel.org_phone = "0522 999 999"
    db.commit()
    filled = apply_faces(db)
    db.commit()
    assert filled > 0 and apply_faces(db) == 0
    assert meppel.org_phone == "0522 999 999"
    assert westerveld.org_phone == DEMO_FACES["westerveld"]["org_phone"]
    assert "(demo)" in meppel.org_name


@pytest.mark.parametrize(
    ("host", "own", "other"),
    [(MEPPEL_HOST, "meppel", "westerveld"), (WESTERVELD_HOST, "westerveld", "meppel")],
)
def test_header_footer_and_error_page_show_the_face_of_the_host(client, faces, host, own, other):
    mine, theirs = DEMO_FACES[own], DEMO_FACES[other]
    for path, status in (("/", 200), ("/privacy", 200), ("/bestaat-niet", 404)):
        html = client.get(path, headers={"Host": host}).get_data(as_text=True)
        assert client.get(path, headers={"Host": host}).status_code == status
        header = html.split("</header>", 1)[0]
        footer = html.split('<footer class="site-footer">', 1)[1]
        assert mine["site_name"] in header and f"– {mine['site_name']}</title>" in html
        assert "Liever bellen?" in header and mine["org_phone"] in header
        tel = "tel:" + re.sub(r"\D", "", mine["org_phone"])
        assert f'href="{tel}"' in header
        for field in ("org_name", "org_phone", "org_email", "org_address", "org_hours"):
            assert mine[field] in footer, field
        assert f'href="mailto:{mine["org_email"]}"' in footer
        assert theirs["org_phone"] not in html and theirs["site_name"] not in html
        assert "Gemeente:" not in header  # the host decides: nothing to choose
    error = client.get("/bestaat-niet", headers={"Host": host}).get_data(as_text=True)
    main = error.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Wilt u iemand spreken?" in main and mine["org_phone"] in main


def test_the_privacy_statement_names_who_is_responsible(client, faces):
    html = client.get("/privacy", headers={"Host": WESTERVELD_HOST}).get_data(as_text=True)
    face = DEMO_FACES["westerveld"]
    assert "verwerkingsverantwoordelijke" in html and face["controller_name"] in html
    assert f'href="mailto:{face["privacy_contact"]}"' in html
    assert "24 maanden" in html  # RETENTION_MONTHS
    assert "coördinator van het welzijnswerk" not in html


def test_an_empty_face_leaves_its_sentences_out(client, meppel):
    html = client.get("/privacy").get_data(as_text=True)
    assert "Liever bellen?" not in html and "tel:" not in html and "mailto:" not in html
    assert "verwerkingsverantwoordelijke" not in html and "None" not in html
    assert "Meppel voor elkaar" in html  # the site name is seeded


@pytest.mark.parametrize(
    ("postcode", "own", "other"),
    [("7941 AB", "meppel", "westerveld"), ("7971 AB", "westerveld", "meppel")],
)
def test_an_email_carries_the_face_of_its_recipient_not_of_the_request(
    app, db, faces, make_user, postcode, own, other
):
    from voorelkaar.notify import enqueue_email

    user = make_user(postcode=postcode)
    # Sent from a request on the other municipality's host: the recipient's face still wins.
    other_host = MEPPEL_HOST if other == "meppel" else WESTERVELD_HOST
    with app.test_request_context("/", headers={"Host": other_host}):
        enqueue_email(
            db,
            key=f"face-{own}",
            user=user,
            template="password_reset",
            kind="test",
            link="http://localhost/x",
            minutes=60,
        )
    # And from the scheduler, outside any request.
    with app.app_context():
        enqueue_email(
            db,
            key=f"face-{own}-job",
            user=user,
            template="request_expired",
            kind="test",
            item={"title": "Boodschappen"},
        )
    db.commit()
    mine, theirs = DEMO_FACES[own], DEMO_FACES[other]
    for message in db.scalars(select(OutboxMessage)):
        for body in (message.body_text, message.body_html):
            assert mine["site_name"] in body and mine["org_name"] in body
            assert mine["org_phone"] in body and mine["org_email"] in body
            assert theirs["org_phone"] not in body and theirs["site_name"] not in body
        assert "Deze e-mail komt van" in message.body_text


def test_where_no_host_decides_the_visitor_chooses_and_returns_where_they_were(
    client, db, meppel, westerveld
):
    apply_faces(db)
    db.commit()
    html = client.get("/privacy").get_data(as_text=True)
    header = html.split("</header>", 1)[0]
    assert "Gemeente: Meppel" in header and "/gemeente?next=/privacy" in header
    page = client.get("/gemeente?next=/privacy")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert ">Meppel</button>" in body and ">Westerveld</button>" in body
    token = csrf_token_from(body)
    response = client.post(
        "/gemeente", data={"csrf_token": token, "gemeente": "westerveld", "next": "/privacy"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/privacy"
    html = client.get("/privacy").get_data(as_text=True)
    assert "Gemeente: Westerveld" in html and DEMO_FACES["westerveld"]["org_phone"] in html
    # Only a path on this site is a way back.
    response = client.post(
        "/gemeente", data={"csrf_token": token, "gemeente": "meppel", "next": "//evil.example"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    # A slug that is no municipality changes nothing.
    response = client.post("/gemeente", data={"csrf_token": token, "gemeente": "nergens"})
    assert response.status_code == 200
    assert "Gemeente: Meppel" in response.get_data(as_text=True)
    # Without the CSRF token, nothing is chosen.
    client.post("/gemeente", data={"gemeente": "westerveld"})
    assert "Gemeente: Meppel" in client.get("/").get_data(as_text=True)


def test_one_municipality_offers_no_choice(client, db, meppel):
    from sqlalchemy import delete

    db.execute(delete(Municipality).where(Municipality.slug != "meppel"))
    db.commit()
    assert "Gemeente:" not in client.get("/").get_data(as_text=True)


def test_with_the_database_away_the_error_page_keeps_the_layout(app_config, tmp_path):
    from voorelkaar import create_app

    app_config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'weg' / 'niet-hier.db'}"
    app = create_app(app_config)
    response = app.test_client().get("/hulpvragen")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert 'class="site-header' in html and app.config["SITE_NAME"] in html
    assert "tel:" not in html
    app.extensions["voorelkaar.engine"].dispose()


@pytest.fixture
def refer(db, in_app):
    return test_referrals.refer.__wrapped__(db, in_app)


def test_the_printed_letter_carries_the_face_of_the_referral_s_municipality(
    db, meppel, westerveld, refer, auth, client, consultant
):
    apply_faces(db)
    db.commit()
    referral = refer(consultant)  # postcode 7941: Meppel
    assert referral.municipality_id == meppel.id
    auth.login(consultant.email)
    # Printed while the consultant's visit shows Westerveld: still Meppel's letter.
    with client.session_transaction() as session:
        session["gemeente"] = "westerveld"
    response = client.get(f"/verwijzingen/{referral.id}/brief")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert DEMO_FACES["westerveld"]["site_name"] in html.split("</header>", 1)[0]
    letter = html.split('<article class="letter"', 1)[1].split("</article>", 1)[0]
    mine, theirs = DEMO_FACES["meppel"], DEMO_FACES["westerveld"]
    for field in ("site_name", "org_name", "org_phone", "org_email", "org_address"):
        assert mine[field] in letter, field
    assert theirs["site_name"] not in letter and "neem contact" not in letter.lower()


def test_a_blocked_account_is_told_whom_to_call_in_its_own_municipality(
    auth, db, meppel, westerveld, make_user
):
    from voorelkaar.db import utcnow

    apply_faces(db)
    user = make_user(email="geblokkeerd@example.nl", postcode="7971 AB")  # Westerveld
    user.blocked_at = utcnow()
    db.commit()
    html = auth.login("geblokkeerd@example.nl").get_data(as_text=True)
    assert "Dit account is geblokkeerd." in html
    assert DEMO_FACES["westerveld"]["org_phone"] in html
    assert "Neem contact op met de coördinator" not in html
