"""The face of each demo municipality in a real browser: axe-clean, and no wider than a phone.

Meppel is served on 127.0.0.1 and Westerveld on localhost: both reach the live server, so
the host name decides which face a page shows. With FACE_SHOTS=<folder> set, each page and
an email of each municipality is also saved as a screenshot at 375 and 1280 px wide.
"""

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.e2e.conftest import Checked
from voorelkaar.demo.faces import DEMO_FACES, apply_faces
from voorelkaar.models import OutboxMessage

WIDTHS = (375, 1280)
HOSTS = {"meppel": "127.0.0.1", "westerveld": "localhost"}
PAGES = {
    "home": "/",
    "privacy": "/privacy",
    "toegankelijkheid": "/toegankelijkheid",
    "over-ons": "/over-ons",
    "fout-404": "/bestaat-niet",
    "oude-link": "/antwoord/" + "x" * 30,
}


@pytest.fixture
def faces(db, meppel, westerveld):
    apply_faces(db)
    for municipality in (meppel, westerveld):
        municipality.host = HOSTS[municipality.slug]
    db.commit()


def _shoot(page, name: str, width: int) -> None:
    folder = os.environ.get("FACE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


def _fits(page, width: int) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"{page.url} is {wide} px wide at {width}"


@pytest.mark.parametrize("slug", ["meppel", "westerveld"])
def test_each_municipality_s_pages_and_email_show_its_face(visit, faces, make_user, app, db, slug):
    port = visit.base_url.rsplit(":", 1)[1]
    visit.base_url = f"http://{HOSTS[slug]}:{port}"
    face = DEMO_FACES[slug]
    page = visit.page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in PAGES.items():
            visit.goto(path)
            footer = page.locator("footer").inner_text()
            assert face["org_phone"] in footer and face["org_name"] in footer
            _fits(page, width)
            _shoot(page, f"{slug}-{name}", width)
    # An email to a person of this municipality, sent outside any request.
    from voorelkaar.notify import enqueue_email

    user = make_user(postcode="7941 AB" if slug == "meppel" else "7971 AB")
    with app.app_context():
        enqueue_email(
            db,
            key=f"face-shot-{slug}",
            user=user,
            template="request_expired",
            kind="test",
            item={"title": "Boodschappen doen"},
        )
    db.commit()
    html = db.scalar(select(OutboxMessage.body_html).where(OutboxMessage.user_id == user.id))
    assert face["org_phone"] in html
    # In a page of its own: the site's CSP does not apply to a mail program.
    mail = Checked(page.context.new_page(), visit.base_url)
    for width in WIDTHS:
        mail.page.set_viewport_size({"width": width, "height": 900})
        mail.page.set_content(html)
        mail.assert_accessible()
        _fits(mail.page, width)
        _shoot(mail.page, f"{slug}-email", width)
    mail.page.close()


def test_the_municipality_chooser_passes_axe(visit, db, meppel, westerveld):
    # Without JavaScript it works as well: it is one plain form (see test_face).
    apply_faces(db)
    db.commit()
    page = visit.page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        visit.goto("/privacy")
        _shoot(page, "kiezen-header", width)
        assert "Gemeente: Meppel" in page.locator("header").inner_text()
    page.get_by_role("link", name="wijzig gemeente").click()
    visit.assert_accessible()
    _shoot(page, "kiezen-pagina", 1280)
    visit.submit("Westerveld")
    assert page.url.endswith("/privacy")
    assert "Gemeente: Westerveld" in page.locator("header").inner_text()
    assert DEMO_FACES["westerveld"]["org_phone"] in page.locator("footer").inner_text()
