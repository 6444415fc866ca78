"""Admins manage categories, the moderation setting and roles."""

import pytest
from sqlalchemy import select

from tests.integration.test_help_requests import request_data
from voorelkaar.models import AuditEvent, Category, HelpRequest, RequestState, Role


@pytest.fixture
def restore_categories(db):
    """Categories are reference data: put them back as the migration left them."""
    before = {c.id: (c.name_nl, c.name_en, c.active) for c in db.scalars(select(Category))}
    yield
    db.rollback()
    for category in db.scalars(select(Category)):
        if category.id in before:
            category.name_nl, category.name_en, category.active = before[category.id]
        else:
            db.delete(category)
    db.commit()


def test_an_admin_adds_a_category_that_askers_can_choose(
    forms, auth, client, db, admin, restore_categories
):
    auth.login("beheer@example.nl")
    response = forms.post("/beheer/categorieen", {"name_nl": "Huisdieren", "name_en": "Pets"})
    assert response.status_code == 302
    assert db.scalar(select(Category.slug).where(Category.name_nl == "Huisdieren")) == "huisdieren"
    html = client.get("/hulpvragen/nieuw").get_data(as_text=True)
    assert 'value="huisdieren"' in html
    again = forms.post("/beheer/categorieen", {"name_nl": "huisdieren", "name_en": "Pets"})
    assert "bestaat al" in again.get_data(as_text=True)


def test_a_category_taken_out_of_use_is_no_longer_offered(
    forms, auth, client, db, admin, restore_categories
):
    auth.login("beheer@example.nl")
    tuin = db.scalar(select(Category).where(Category.slug == "tuin"))
    forms.post(f"/beheer/categorieen/{tuin.id}", {"name_nl": "Tuin", "name_en": "Garden"})
    assert 'value="tuin"' not in client.get("/hulpvragen/nieuw").get_data(as_text=True)


def test_without_moderation_a_request_is_online_at_once(forms, auth, db, make_user, meppel):
    make_user(Role.ADMIN, Role.RESIDENT, email="beheer@example.nl")
    auth.login("beheer@example.nl")
    assert forms.post("/beheer/instellingen", {}).status_code == 302  # unticked: off
    db.refresh(meppel)
    assert meppel.moderation is False
    forms.post("/hulpvragen/nieuw", request_data())
    assert db.scalar(select(HelpRequest.state)) == RequestState.OPEN
    assert "municipalities.moderation_off" in db.scalars(select(AuditEvent.action)).all()


def test_an_admin_gives_someone_the_coordinator_role(forms, auth, client, db, admin, resident):
    auth.login("beheer@example.nl")
    url = f"/beheer/gebruikers/{resident.id}/rollen"
    assert forms.post(url, {"roles": ["resident", "staff"]}).status_code == 302
    db.refresh(resident)
    assert resident.role_set == {Role.RESIDENT, Role.STAFF}


def test_an_admin_cannot_remove_their_own_admin_role(forms, auth, db, admin):
    auth.login("beheer@example.nl")
    html = forms.post(f"/beheer/gebruikers/{admin.id}/rollen", {"roles": ["staff"]}).get_data(
        as_text=True
    )
    assert "eigen beheerdersrol" in html
    db.refresh(admin)
    assert Role.ADMIN in admin.role_set
