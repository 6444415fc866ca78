"""Pages no other browser test opens: each must pass axe, and work through its real form."""

import pytest

from tests.e2e.test_help_request_flow import log_in, log_out
from voorelkaar.models import Role

pytestmark = pytest.mark.e2e


def test_staff_and_admin_pages_pass_axe(visit, make_user, make_request):
    asker = make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen")
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl")
    make_request(asker, title="Boodschappen", postcode="7941 AB")
    make_user(Role.ADMIN, Role.STAFF, email="beheer@example.nl")
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
