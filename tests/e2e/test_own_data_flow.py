"""Own your data in a real browser: the page, the download, the privacy pages, deleting."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.e2e.test_help_request_flow import log_in
from voorelkaar.models import Role, User

pytestmark = pytest.mark.e2e


def test_a_resident_downloads_their_data_and_deletes_the_account(visit, make_user, db):
    riek = make_user(Role.RESIDENT, Role.CARER, email="riek@example.nl", name="Riek Jansen")
    page = visit.page
    visit.goto("/privacy")
    visit.goto("/toegankelijkheid")
    assert "WCAG 2.1" in page.content()

    log_in(visit, "riek@example.nl")
    visit.goto("/profiel")
    page.get_by_role("link", name="Uw gegevens downloaden").click()
    visit.assert_accessible()
    assert "Notitie over gezondheid" in page.content()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download mijn gegevens").click()
    download = download_info.value
    assert download.suggested_filename == "mijn-gegevens.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["tabellen"]["users"][0]["name"] == "Riek Jansen"

    page.get_by_role("link", name="Account verwijderen").click()
    visit.assert_accessible()
    visit.submit("Ja, verwijder mijn account")  # no password: refused, and says why
    assert "Vul uw wachtwoord in" in page.content()
    page.get_by_label("Uw wachtwoord").fill(PASSWORD)
    visit.submit("Ja, verwijder mijn account")
    assert "Uw account is verwijderd" in page.content()

    visit.goto("/mijn-gegevens")
    assert "/login" in page.url
    db.expire_all()
    assert db.scalar(select(User.anonymised_at).where(User.id == riek.id)) is not None
