"""A postcode outside the municipality is asked about once, and kept when it is right."""

import pytest
from sqlalchemy import select

from tests.integration.test_accounts import VALID
from tests.integration.test_help_requests import request_data
from tests.integration.test_referrals import referral_data
from voorelkaar.models import HelpRequest, Referral, RequestState, User

QUESTION = "Deze postcode ligt niet in de gemeente Meppel. Klopt de postcode?"
CONFIRM = "Ja, dit klopt: het adres ligt buiten de gemeente"
# 1012 is Amsterdam; 9999 is Stitswerd (Groningen): both in the postcode table, neither in Meppel.
OUTSIDE = ["1012 AB", "9999 ZZ"]

FORMS = {
    "request": (
        "inwoner@example.nl",
        "/hulpvragen/nieuw",
        request_data,
        lambda db: db.scalar(select(HelpRequest.postcode)),
        "Ik kan slecht lopen",
    ),
    "referral": (
        "consulent@example.nl",
        "/verwijzingen/nieuw",
        referral_data,
        lambda db: db.scalar(select(Referral.postcode)),
        "Mevrouw kan slecht lopen",
    ),
    "registration": (
        None,
        "/registreren",
        lambda **changes: {**VALID, **changes},
        lambda db: db.scalar(select(User.postcode).where(User.email == "riek@example.nl")),
        "Riek Jansen",
    ),
}


@pytest.fixture
def fill_in(forms, auth, resident, consultant):
    def fill(form, **changes):
        email, url, data, saved, typed = FORMS[form]
        if email:
            auth.login(email)
        return forms.post(url, data(**changes)), saved, typed

    return fill


@pytest.mark.parametrize("postcode", OUTSIDE)
@pytest.mark.parametrize("form", FORMS)
def test_a_postcode_outside_the_municipality_is_asked_about_and_nothing_is_saved(
    fill_in, db, form, postcode
):
    response, saved, typed = fill_in(form, postcode=postcode)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    start = html.index('id="postcode-error"')
    assert QUESTION in html[start : start + 400]
    assert CONFIRM in html
    assert typed in html and f'value="{postcode}"' in html  # what was typed is kept
    assert saved(db) is None


@pytest.mark.parametrize("postcode", OUTSIDE)
@pytest.mark.parametrize("form", FORMS)
def test_ja_dit_klopt_accepts_a_postcode_outside_the_municipality(fill_in, db, form, postcode):
    response, saved, _ = fill_in(form, postcode=postcode, outside_municipality="y")
    assert response.status_code == 302
    assert saved(db) == postcode


@pytest.mark.parametrize("form", ["request", "referral"])
def test_a_postcode_in_the_municipality_is_not_asked_about(fill_in, client, db, form):
    url = FORMS[form][1]
    response, saved, _ = fill_in(form, postcode="7948 AA")  # Nijeveen, a wijk of Meppel
    assert response.status_code == 302
    assert saved(db) == "7948 AA"
    assert CONFIRM not in client.get(url).get_data(as_text=True)


PROFILE = {
    "name": "Riek Jansen",
    "phone": "",
    "postcode": "7941 BK",
    "house_number": "12",
    "intro": "",
    "skills": "",
}


def test_a_volunteer_moving_just_outside_confirms_once_and_is_not_asked_again(
    forms, auth, db, resident
):
    auth.login("inwoner@example.nl")
    response = forms.post("/profiel", {**PROFILE, "postcode": "9999 ZZ"})
    assert QUESTION in response.get_data(as_text=True)
    db.refresh(resident)
    assert resident.postcode == "7941 AB"
    response = forms.post(
        "/profiel", {**PROFILE, "postcode": "9999 ZZ", "outside_municipality": "y"}
    )
    assert response.status_code == 302
    db.refresh(resident)
    assert resident.postcode == "9999 ZZ"
    response = forms.post("/profiel", {**PROFILE, "postcode": "9999 ZZ", "name": "Riek J."})
    assert response.status_code == 302  # the postcode on file was confirmed before
    db.refresh(resident)
    assert resident.name == "Riek J."


def test_editing_a_request_with_a_confirmed_postcode_outside_does_not_ask_again(
    forms, auth, db, resident, make_request
):
    item = make_request(resident, title="Boodschappen", postcode="1012 AB")
    auth.login("inwoner@example.nl")
    page = f"/hulpvragen/{item.id}/bewerken"
    response = forms.post(page, request_data(postcode="1012 AB", title="Andere titel"))
    assert response.status_code == 302
    db.refresh(item)
    assert item.title == "Andere titel" and item.state == RequestState.PENDING
    response = forms.post(page, request_data(postcode="9999 ZZ"))
    assert QUESTION in response.get_data(as_text=True)  # a new postcode outside is asked about
