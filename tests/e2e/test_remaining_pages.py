"""Pages no other browser test opens: each must pass axe, and work through its real form."""

import pytest

from tests.e2e.test_help_request_flow import log_in, log_out
from voorelkaar.models import Role

pytestmark = pytest.mark.e2e


def test_staff_and_admin_pages_pass_axe(visit, make_user, make_request):
    asker = make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen")
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl")
    make_request(asker, title="Boodschappen", postcode="7941 AB")
    me = make_user(Role.ADMIN, Role.STAFF, email="beheer@example.nl")
    log_in(visit, "beheer@example.nl")
    for path in (
        "/beheer/te-beoordelen",
        "/beheer/logboek",
        "/beheer/meldingen",
        "/beheer/gebruikers?q=riek",
        f"/beheer/gebruikers/{asker.id}",
        f"/beheer/gebruikers/{asker.id}/rollen",
        f"/beheer/gebruikers/{volunteer.id}/vog",
        "/beheer/categorieen",
        "/beheer/categorieen/1",
        "/beheer/instellingen",
        "/beheer/organisaties",
        "/beheer/beveiligingslog",
        f"/beheer/beveiligingslog?account={asker.id}",
        f"/beheer/gebruikers/{me.id}/vog",  # the rank rule's refusal: not one's own VOG
    ):
        visit.goto(path)


def test_a_resident_edits_their_profile_and_withdraws_a_request(visit, make_user, make_request):
    asker = make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen")
    item = make_request(asker, title="Boodschappen", postcode="7941 AB")
    page = visit.page
    log_in(visit, "riek@example.nl")
    visit.goto("/profiel")
    page.get_by_label("Postcode").fill("7941 SA")
    visit.submit("Opslaan")
    assert "Deze postcode bestaat niet" in page.content()
    assert page.get_by_label("Uw naam").input_value() == "Riek Jansen"
    visit.goto(f"/profiel/{asker.id}")
    visit.goto("/mijn-hulpvragen")
    visit.goto(f"/hulpvragen/{item.id}/bewerken")
    visit.goto(f"/hulpvragen/{item.id}")
    visit.submit("Hulpvraag intrekken")
    assert "De hulpvraag is ingetrokken." in page.content()
    log_out(visit)


def test_a_volunteer_s_own_pages_pass_axe(visit, make_user):
    make_user(Role.VOLUNTEER, email="sanne@example.nl")
    log_in(visit, "sanne@example.nl")
    for path in ("/mijn-inzet", "/mijn-aanbod", "/hulpaanbod/nieuw", "/vacatures", "/profiel"):
        visit.goto(path)


def test_no_back_office_page_is_wider_than_a_phone(visit, make_user, make_request, db):
    # Issue 13: /beheer/organisaties was 813 px wide at 320: a visually hidden text in a
    # table cell escaped the table's scroll box.
    from voorelkaar.models import Organisation, OrganisationMember

    member = make_user(Role.ORGANISATION, email="coordinator.zorgcentrum@voorbeeld.nl")
    organisation = Organisation(
        name="Stichting Welzijn Meppel en omstreken",
        description="Een lange beschrijving van wat deze organisatie in de wijk doet.",
    )
    db.add(organisation)
    db.flush()
    db.add(OrganisationMember(organisation_id=organisation.id, user_id=member.id))
    db.commit()
    make_request(member, title="Boodschappen", postcode="7941 AB")
    make_user(Role.ADMIN, Role.STAFF, email="beheer@example.nl")
    visit.page.set_viewport_size({"width": 320, "height": 800})
    log_in(visit, "beheer@example.nl")
    for path in (
        "/beheer/organisaties",
        "/beheer/api-sleutels",
        "/beheer/logboek",
        "/beheer/categorieen",
        "/beheer/gebruikers?q=a",
        "/beheer/beveiligingslog",
        "/taken",
        "/verwijzingen",
    ):
        visit.goto(path)
        width = visit.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (path, width)


@pytest.fixture
def few_guesses(app_config):
    """Two wrong passwords, and the login page guards the account (before the app is made)."""
    app_config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 10 minutes"


def test_the_guarded_login_page_passes_axe_and_says_what_to_do(few_guesses, visit, make_user):
    make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen")
    page = visit.page
    visit.goto("/login")
    for _ in range(3):
        page.get_by_label("E-mailadres").fill("riek@example.nl")
        page.get_by_label("Wachtwoord").fill("niet mijn wachtwoord")
        visit.submit("Inloggen")
    assert "controleren we het wachtwoord een paar minuten niet" in page.content()
    assert page.get_by_label("E-mailadres").input_value() == "riek@example.nl"


def test_the_page_while_the_database_is_away_passes_axe(browser, app_config, tmp_path):
    import threading

    from werkzeug.serving import make_server

    from tests.e2e.conftest import Checked
    from voorelkaar import create_app

    config = {**app_config, "DATABASE_URL": f"sqlite:///{tmp_path / 'weg' / 'niet-hier.db'}"}
    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context(locale="nl-NL")
    try:
        visit = Checked(context.new_page(), f"http://127.0.0.1:{server.port}")
        response = visit.page.goto(visit.base_url + "/hulpvragen")
        assert response.status == 503 and response.headers["retry-after"] == "60"
        visit.assert_accessible()
        assert "De site is even niet bereikbaar" in visit.page.content()
        assert "Foutcode: 503-" in visit.page.content()
    finally:
        context.close()
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["voorelkaar.engine"].dispose()
