"""A municipality's own settings: its face, a checked logo, its wijken and its categories."""

import gc
import io
import struct
import warnings
import zlib

import pytest
from sqlalchemy import select

from voorelkaar.models import (
    AuditEvent,
    Category,
    Municipality,
    MunicipalityStaff,
    Neighbourhood,
    NeighbourhoodArea,
    Role,
    Upload,
)

SETTINGS = "/beheer/gemeente/meppel"
LOGO = "/beheer/gemeente/meppel/logo"
WIJKEN = "/beheer/gemeente/meppel/wijken"
CSV = "/beheer/gemeente/meppel/wijken/csv"


def png(width=4, height=2) -> bytes:
    """A real PNG of width x height blue pixels."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x00\x33\x66" * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


GOOD_SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'width="800" height="200" viewBox="0 0 800 200">'
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="#036"/></linearGradient></defs>'
    b'<rect width="800" height="200" fill="url(#g)"/><use xlink:href="#g"/>'
    b'<text x="20" y="120" font-size="80" fill="#fff">Meppel</text></svg>'
)


@pytest.fixture
def meppel_admin(make_user, auth, meppel):
    user = make_user(Role.ADMIN, email="beheer@example.nl", postcode="7941 AB")
    auth.login("beheer@example.nl")
    return user


def upload(forms, data: bytes, filename: str):
    return forms.post(
        LOGO,
        {"logo": (io.BytesIO(data), filename)},
        page=SETTINGS,
        content_type="multipart/form-data",
    )


def face(**changes):
    values = {
        "site_name": "Meppel voor elkaar",
        "host": "",
        "org_name": "Welzijn Mens en Werk",
        "org_phone": "0522 123 456",
        "org_email": "info@example.nl",
        "org_address": "Zuideinde 30, 7941 GJ Meppel",
        "org_hours": "ma–vr 9–17",
        "controller_name": "Gemeente Meppel",
        "privacy_contact": "privacy@example.nl",
        "moderation": "y",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


# --- the face ---------------------------------------------------------------------------------


def test_an_admin_saves_the_face_of_their_municipality_and_it_is_audited(
    forms, client, db, meppel_admin, meppel
):
    response = forms.post(SETTINGS, face(host="Meppel.Voorelkaar.nl", moderation=None))
    assert response.status_code == 302
    db.refresh(meppel)
    assert meppel.site_name == "Meppel voor elkaar"
    assert meppel.host == "meppel.voorelkaar.nl"
    assert meppel.org_phone == "0522 123 456"
    assert meppel.moderation is False
    assert "municipalities.settings_changed" in db.scalars(select(AuditEvent.action)).all()


def test_a_wrong_phone_or_host_is_refused_and_what_was_typed_stays(
    forms, db, meppel_admin, meppel, westerveld
):
    westerveld.host = "westerveld.voorelkaar.nl"
    db.commit()
    response = forms.post(
        SETTINGS, face(org_phone="12", host="westerveld.voorelkaar.nl", org_name="Welzijn Noord")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vul een geldig telefoonnummer in" in html
    assert "hoort al bij een andere gemeente" in html
    assert 'value="Welzijn Noord"' in html
    bad_host = forms.post(SETTINGS, face(host="https://meppel.nl/")).get_data(as_text=True)
    assert "Vul een hostnaam in zoals" in bad_host
    db.refresh(meppel)
    assert meppel.org_name == ""


def test_an_admin_of_meppel_cannot_open_westervelds_settings(client, meppel_admin, westerveld):
    for url in (
        "/beheer/gemeente/westerveld",
        "/beheer/gemeente/westerveld/wijken",
        "/beheer/gemeente/westerveld/soorten-hulp",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/beheer/gemeente").location.endswith(SETTINGS)


def test_a_regional_admin_chooses_among_the_municipalities_they_hold(
    client, db, meppel_admin, meppel, westerveld
):
    db.add_all(
        [
            MunicipalityStaff(user_id=meppel_admin.id, municipality_id=meppel.id),
            MunicipalityStaff(user_id=meppel_admin.id, municipality_id=westerveld.id),
        ]
    )
    db.commit()
    html = client.get("/beheer/gemeente").get_data(as_text=True)
    assert "/beheer/gemeente/meppel" in html and "/beheer/gemeente/westerveld" in html
    assert client.get("/beheer/gemeente/westerveld").status_code == 200


# --- the logo ---------------------------------------------------------------------------------


def refused(response) -> str:
    assert response.status_code in (200, 413), response.status_code
    html = response.get_data(as_text=True)
    assert "Het logo is opgeslagen" not in html
    return html


def test_an_svg_with_a_script_is_refused(forms, db, meppel_admin):
    evil = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    html = refused(upload(forms, evil, "logo.svg"))
    assert "Het SVG-bestand bevat een script" in html
    assert db.scalar(select(Upload)) is None


@pytest.mark.parametrize(
    "svg, message",
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "gebeurtenis-attribuut"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
            "ingesloten inhoud",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<image xlink:href="https://elders.example/x.png"/></svg>',
            "van buiten het bestand",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://x.example/a)"/></svg>',
            "van buiten het bestand",
        ),
        (
            b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
            "DOCTYPE",
        ),
    ],
)
def test_an_svg_that_could_run_or_fetch_something_is_refused(forms, meppel_admin, svg, message):
    assert message in refused(upload(forms, svg, "logo.svg"))


def test_a_png_that_is_really_html_is_refused(forms, meppel_admin):
    html = refused(upload(forms, b"<!doctype html><script>alert(1)</script>", "logo.png"))
    assert "geen echte PNG-, JPEG- of SVG-afbeelding" in html


def forget_big_bodies():
    """The test client spools a big body to a temporary file it never closes: not ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture
def big_bodies():
    yield
    forget_big_bodies()


def test_a_20_mb_file_is_refused_with_a_message_not_a_bare_error(
    forms, db, meppel_admin, big_bodies
):
    big = png() + b"\x00" * (20 * 1024 * 1024)
    response = upload(forms, big, "logo.png")
    html = refused(response)
    assert "Het bestand is te groot" in html
    assert "hoogstens 1 MB" in html
    assert db.scalar(select(Upload)) is None


def test_a_file_far_too_big_for_any_upload_still_gets_the_settings_page(
    app, forms, meppel_admin, big_bodies
):
    app.config["UPLOAD_REQUEST_LIMIT"] = 2 * 1024 * 1024
    response = upload(forms, png() + b"\x00" * (3 * 1024 * 1024), "logo.png")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Het bestand is te groot" in html and "Instellingen van Meppel" in html


@pytest.mark.parametrize("filename", ["../../x.png", "C:\\x.png", "map/logo.png"])
def test_a_filename_with_a_path_is_refused(forms, db, meppel_admin, filename):
    html = refused(upload(forms, png(), filename))
    assert "De bestandsnaam mag geen map of pad bevatten" in html
    assert db.scalar(select(Upload)) is None


def test_a_wrong_kind_of_file_is_refused(forms, meppel_admin):
    assert "PNG-, JPEG- of SVG-bestand" in refused(upload(forms, b"GIF89a....", "logo.gif"))


def test_a_good_png_is_stored_under_a_random_name_and_served_with_its_type(
    forms, client, db, meppel_admin, meppel
):
    data = png()
    assert upload(forms, data, "Logo Meppel.png").status_code == 302
    db.refresh(meppel)
    assert meppel.logo_type == "image/png"
    assert meppel.logo_file and "Meppel" not in meppel.logo_file
    stored = db.scalar(select(Upload).where(Upload.name == meppel.logo_file))
    assert stored.content == data and stored.size == len(data)
    response = client.get(f"/gemeente/meppel/logo?v={meppel.logo_file}")
    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response.headers["Cache-Control"]
    assert "immutable" not in client.get("/gemeente/meppel/logo?v=oud").headers["Cache-Control"]
    assert "municipalities.logo_changed" in db.scalars(select(AuditEvent.action)).all()
    settings = client.get(SETTINGS).get_data(as_text=True)
    assert f"/gemeente/meppel/logo?v={meppel.logo_file}" in settings


def test_a_good_svg_is_served_as_an_image_that_runs_no_script(
    forms, client, db, meppel_admin, meppel
):
    assert upload(forms, GOOD_SVG, "logo.svg").status_code == 302
    db.refresh(meppel)
    response = client.get("/gemeente/meppel/logo")
    assert response.headers["Content-Type"] == "image/svg+xml"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert response.data == GOOD_SVG


def test_a_new_logo_replaces_the_old_and_the_remove_button_takes_it_away(
    forms, client, db, meppel_admin, meppel
):
    upload(forms, png(), "a.png")
    upload(forms, GOOD_SVG, "b.svg")
    assert len(db.scalars(select(Upload)).all()) == 1
    response = forms.post("/beheer/gemeente/meppel/logo/weghalen", {}, page=SETTINGS)
    assert response.status_code == 302
    db.refresh(meppel)
    assert meppel.logo_file is None and db.scalar(select(Upload)) is None
    assert client.get("/gemeente/meppel/logo").status_code == 404


# --- wijken -----------------------------------------------------------------------------------


def test_an_admin_adds_edits_and_deletes_a_wijk(forms, client, db, meppel_admin, meppel):
    response = forms.post(
        WIJKEN, {"name": "Nieuwveense Landen", "pc4s": "7949", "ranges": "7946AA-7946KZ"}
    )
    assert response.status_code == 302
    wijk = db.scalar(select(Neighbourhood).where(Neighbourhood.name == "Nieuwveense Landen"))
    assert {(a.pc4, a.pc6_from, a.pc6_to) for a in wijk.areas} == {
        ("7949", None, None),
        ("7946", "7946AA", "7946KZ"),
    }
    url = f"{WIJKEN}/{wijk.id}"
    assert forms.post(url, {"name": "Nieuwveen", "pc4s": "7949", "ranges": ""}).status_code == 302
    db.refresh(wijk)
    assert wijk.name == "Nieuwveen" and len(wijk.areas) == 1
    assert forms.post(f"{url}/verwijderen", {}, page=url).status_code == 302
    wijk_id = wijk.id
    db.expire_all()
    assert db.scalar(select(Neighbourhood.id).where(Neighbourhood.id == wijk_id)) is None


def test_a_wijk_with_a_pc4_of_another_municipality_is_refused_and_the_form_keeps_it(
    forms, db, meppel_admin, westerveld
):
    response = forms.post(WIJKEN, {"name": "Havelte-Zuid", "pc4s": "7971, 0000", "ranges": ""})
    html = response.get_data(as_text=True)
    assert "postcodegebied 7971 hoort bij gemeente Westerveld" in html
    assert "0000" in html and 'value="Havelte-Zuid"' in html
    assert db.scalar(select(Neighbourhood).where(Neighbourhood.name == "Havelte-Zuid")) is None


def csv_upload(forms, text: str, encoding="utf-8"):
    return forms.post(
        CSV,
        {"csv_file": (io.BytesIO(text.encode(encoding)), "wijken.csv")},
        page=WIJKEN,
        content_type="multipart/form-data",
    )


def test_a_good_csv_adds_and_changes_wijken_and_says_how_many(
    forms, client, db, meppel_admin, meppel
):
    existing = meppel.neighbourhoods[0]
    text = (
        "wijk;pc4;pc6_van;pc6_tot\n"
        "Rogat;7949;;\n"
        "Rogat;7946;7946AA;7946KZ\n"
        f"{existing.name};{existing.areas[0].pc4};;\n"
        "Wanneperveen;7946;7946LA;7946ZZ\n"
    )
    response = csv_upload(forms, "\ufeff" + text)
    assert response.status_code == 302
    page = client.get(WIJKEN).get_data(as_text=True)
    assert "2 wijken toegevoegd" in page
    assert "0 wijken gewijzigd" in page and "3 postcodegebieden" in page
    rogat = db.scalar(select(Neighbourhood).where(Neighbourhood.name == "Rogat"))
    assert {(a.pc4, a.pc6_from) for a in rogat.areas} == {("7949", None), ("7946", "7946AA")}
    comma = csv_upload(forms, "wijk,pc4,pc6_van,pc6_tot\nWanneperveen,7946,7946LA,7946ZY\n")
    assert comma.status_code == 302
    page = client.get(WIJKEN).get_data(as_text=True)
    assert "0 wijken toegevoegd, 1 wijk gewijzigd" in page


def test_a_bad_csv_takes_nothing_and_lists_what_is_wrong_per_line(
    forms, db, meppel_admin, westerveld
):
    before = db.scalar(select(NeighbourhoodArea.id).order_by(NeighbourhoodArea.id.desc()))
    text = (
        "wijk;pc4;pc6_van;pc6_tot\n"
        "Goed;7949;;\n"
        "Fout;79;;\n"
        "Elders;7971;;\n"
        "Onbekend;0001;;\n"
        ";7944;;\n"
    )
    html = csv_upload(forms, text).get_data(as_text=True)
    assert "Er is niets opgeslagen" in html
    assert "Vul de naam van de wijk in" in html or "vul de naam van de wijk in" in html
    assert "Regel 6" in html
    assert db.scalar(select(Neighbourhood).where(Neighbourhood.name == "Goed")) is None
    html = csv_upload(forms, text.replace(";7944;;\n", "")).get_data(as_text=True)
    assert "Regel 3: “79” is geen PC4" in html
    assert "Regel 4: postcodegebied 7971 hoort bij gemeente Westerveld" in html
    assert "Regel 5: postcodegebied 0001 bestaat niet" in html
    assert db.scalar(select(Neighbourhood).where(Neighbourhood.name == "Goed")) is None
    assert db.scalar(select(NeighbourhoodArea.id).order_by(NeighbourhoodArea.id.desc())) == before


def test_a_csv_with_wrong_columns_or_not_utf8_is_refused(forms, meppel_admin):
    html = csv_upload(forms, "naam;postcode\nA;7945\n").get_data(as_text=True)
    assert "de kolommen moeten heten: wijk;pc4;pc6_van;pc6_tot" in html
    html = csv_upload(forms, "wijk;pc4;pc6_van;pc6_tot\nRuïne;7945;;\n", "latin-1").get_data(
        as_text=True
    )
    assert "geen UTF-8-tekst" in html


# --- categories -------------------------------------------------------------------------------


def test_the_forms_offer_only_the_categories_the_municipality_ticked(
    forms, client, db, meppel_admin, meppel, westerveld, make_user, auth
):
    tuin = db.scalar(select(Category).where(Category.slug == "tuin"))
    url = "/beheer/gemeente/meppel/soorten-hulp"
    assert forms.post(url, {"categories": [str(tuin.id)]}).status_code == 302
    make_user(Role.RESIDENT, Role.VOLUNTEER, email="meppeler@example.nl", postcode="7941 AB")
    make_user(Role.RESIDENT, Role.VOLUNTEER, email="havelter@example.nl", postcode="7971 AB")
    others = db.scalars(select(Category.slug).where(Category.active, Category.id != tuin.id)).all()
    auth.logout()
    auth.login("meppeler@example.nl")
    for page in ("/hulpvragen/nieuw", "/hulpaanbod/nieuw"):
        html = client.get(page).get_data(as_text=True)
        assert 'value="tuin"' in html, page
        assert not any(f'value="{slug}"' in html for slug in others), page
    make_user(Role.CONSULTANT, email="consulent@example.nl", postcode="7941 AB")
    auth.logout()
    auth.login("consulent@example.nl")
    html = client.get("/verwijzingen/nieuw").get_data(as_text=True)
    assert 'value="tuin"' in html
    assert not any(f'value="{slug}"' in html for slug in others)
    auth.logout()
    auth.login("havelter@example.nl")
    html = client.get("/hulpvragen/nieuw").get_data(as_text=True)
    assert all(f'value="{slug}"' in html for slug in others)  # Westerveld ticked none: all


def test_ticking_none_offers_every_category_again(forms, client, db, meppel_admin, meppel):
    tuin = db.scalar(select(Category).where(Category.slug == "tuin"))
    url = "/beheer/gemeente/meppel/soorten-hulp"
    forms.post(url, {"categories": [str(tuin.id)]})
    assert forms.post(url, {}).status_code == 302
    html = client.get("/hulpvragen/nieuw").get_data(as_text=True)
    assert html.count('value="') > 5
    assert db.scalar(select(Municipality).where(Municipality.slug == "meppel")).id == meppel.id


def test_deleting_a_wijk_leaves_its_people_in_the_municipality(
    forms, db, meppel_admin, meppel, make_user
):
    person = make_user(Role.RESIDENT, email="centrum@example.nl", postcode="7941 AB")
    wijk = person.neighbourhood
    url = f"{WIJKEN}/{wijk.id}"
    assert forms.post(f"{url}/verwijderen", {}, page=url).status_code == 302
    db.expire_all()
    assert person.neighbourhood_id is None
    assert person.municipality_id == meppel.id


def test_a_csv_spelling_one_wijk_two_ways_makes_one_wijk_and_a_long_name_is_refused(
    forms, client, db, meppel_admin
):
    text = "wijk;pc4;pc6_van;pc6_tot\nRogat;7949;;\nrogat;7946;7946AA;7946ZZ\n"
    assert csv_upload(forms, text).status_code == 302
    rogat = db.scalars(select(Neighbourhood).where(Neighbourhood.slug == "rogat")).all()
    assert len(rogat) == 1 and len(rogat[0].areas) == 2
    html = csv_upload(forms, f"wijk;pc4;pc6_van;pc6_tot\n{'x' * 101};7949;;\n").get_data(
        as_text=True
    )
    assert "Regel 2: de naam van de wijk is te lang" in html


def test_only_an_admin_gets_a_big_upload_read(app, client, forms, make_user, auth, big_bodies):
    make_user(Role.STAFF, email="staf@example.nl")
    auth.login("staf@example.nl")
    body = {"logo": (io.BytesIO(b"\x00" * (600 * 1024)), "logo.png")}
    response = client.post(LOGO, data=body, content_type="multipart/form-data")
    assert response.status_code == 413


def test_a_csv_file_too_big_is_refused_on_the_wijken_page(app, forms, meppel_admin, big_bodies):
    line = "Rogat;7949;;\n"
    big = "wijk;pc4;pc6_van;pc6_tot\n" + line * (2 * 1024 * 1024 // len(line))
    html = csv_upload(forms, big).get_data(as_text=True)
    forget_big_bodies()
    assert "Het bestand is te groot" in html and "Wijken van Meppel" in html
    app.config["UPLOAD_REQUEST_LIMIT"] = 1024 * 1024
    response = csv_upload(forms, big)
    assert response.status_code == 413
    assert "Wijken van Meppel" in response.get_data(as_text=True)
