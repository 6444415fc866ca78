"""Dutch first; English for whoever chooses it."""

from tests.conftest import PASSWORD


def test_pages_are_dutch_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "Buren helpen elkaar" in html


def test_a_visitor_can_switch_to_english_and_back(client):
    # Not logged in: the switch has no token (a page without a form sets no cookie).
    response = client.post("/taal", data={"locale": "en", "next": "/privacy"})
    assert response.headers["Location"] == "/privacy"
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Log in" in html and "Inloggen" not in html
    client.post("/taal", data={"locale": "nl"})
    assert '<html lang="nl">' in client.get("/").get_data(as_text=True)


def test_a_logged_in_user_keeps_their_language(forms, auth, client, db, resident):
    auth.login("inwoner@example.nl")
    forms.post("/taal", {"locale": "en"}, page="/")
    db.refresh(resident)
    assert resident.locale == "en"
    auth.logout()
    client.delete_cookie("voorelkaar_session")
    auth.login("inwoner@example.nl", PASSWORD)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_english_error_messages_on_forms(forms, client, meppel):
    client.post("/taal", data={"locale": "en"})
    html = forms.post("/registreren", {"postcode": "1005 AB"}).get_data(as_text=True)
    assert "Please" in html or "Enter" in html
