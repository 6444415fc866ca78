"""HTTP as the web expects (what Lighthouse checks): compressed text, public pages that
browsers and proxies may keep, static files kept for a year, no cookie for a visitor who
only looks, a description per page, and error pages that need no database."""

import gzip
import re

import pytest
from sqlalchemy.orm import sessionmaker

from tests.conftest import PASSWORD, csrf_token_from
from tests.integration.test_production_server import gunicorn_server  # noqa: F401 - a fixture
from voorelkaar.db import make_engine
from voorelkaar.models import Role

PUBLIC_PAGES = ("/", "/hulpvragen", "/hulpaanbod", "/vacatures", "/privacy", "/over-ons")
GZIP = {"Accept-Encoding": "gzip, deflate, br"}
YEAR = 31536000
DESCRIPTION = re.compile(r'<meta name="description" content="([^"]+)">')
STATIC_LINK = re.compile(r'href="(/static/css/site\.css\?v=([0-9a-f]+))"')


@pytest.fixture
def open_request(make_user, make_request, meppel):
    asker = make_user(Role.RESIDENT, email="asker@example.nl")
    return make_request(asker, title="Boodschappen doen", postcode="7941 AB")


def test_a_page_is_sent_gzipped_to_a_browser_that_accepts_it(client, meppel):
    response = client.get("/hulpvragen", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    html = gzip.decompress(response.data).decode()
    assert "<h1>Hulpvragen</h1>" in html
    assert int(response.headers["Content-Length"]) == len(response.data) < len(html.encode())


def test_a_browser_that_does_not_accept_gzip_gets_plain_text(client, meppel):
    response = client.get("/hulpvragen", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert "<h1>Hulpvragen</h1>" in response.get_data(as_text=True)
    assert "Accept-Encoding" in response.headers["Vary"]


def test_css_and_javascript_are_sent_gzipped_too(client):
    for path in ("/static/css/site.css", "/static/js/site.js"):
        response = client.get(path, headers=GZIP)
        assert response.headers["Content-Encoding"] == "gzip", path
        with client.get(path) as plain:
            assert gzip.decompress(response.data) == plain.data
        response.close()


def test_a_small_answer_is_not_compressed(client):
    response = client.get("/healthz", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert response.get_json()["status"] == "ok"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_public_page_may_be_kept_and_is_asked_for_again_with_its_etag(client, meppel, path):
    response = client.get(path, headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    etag = response.headers["ETag"]
    again = client.get(path, headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    changed = client.get(path, headers={**GZIP, "If-None-Match": 'W/"iets-anders"'})
    assert changed.status_code == 200


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_an_anonymous_visit_to_a_public_page_sets_no_cookie(client, meppel, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "csrf_token" not in response.get_data(as_text=True)


def test_a_request_page_sets_no_cookie_for_a_visitor_who_is_not_logged_in(client, open_request):
    response = client.get(f"/hulpvragen/{open_request.id}")
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    assert "Set-Cookie" not in response.headers
    # The login page says why, and needs its session for its form.
    login = client.get(response.location)
    assert "Log in om deze pagina te zien." in login.get_data(as_text=True)
    assert login.headers["Cache-Control"] == "no-store"


def test_a_page_with_a_form_is_personal(client, meppel):
    response = client.get("/login")
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    assert "Set-Cookie" in response.headers  # the form's CSRF token lives in the session


def test_a_logged_in_person_s_pages_are_never_kept(client, auth, resident, open_request):
    auth.login(resident.email)
    for path in ("/", "/hulpvragen", "/privacy", f"/hulpvragen/{open_request.id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
        assert "ETag" not in response.headers, path


def test_a_flash_message_makes_a_page_personal(client, auth, resident):
    auth.login(resident.email)
    auth.logout()  # "U bent uitgelogd." waits for the next page
    response = client.get("/")
    assert "U bent uitgelogd." in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    after = client.get("/")
    assert after.headers["Cache-Control"] == "no-cache"


def test_a_page_behind_a_secret_link_is_never_kept(app):
    @app.route("/test/bevestigen/<token>")
    def secret_page(token):
        return "<!doctype html><p>" + "Welkom terug. " * 50 + "</p>"

    response = app.test_client().get("/test/bevestigen/geheim-token-abcdefghijklmnopqrstuvwxyz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_have_content_hashed_addresses_kept_for_a_year(client, meppel):
    html = client.get("/").get_data(as_text=True)
    found = STATIC_LINK.search(html)
    assert found, "the stylesheet's address carries no hash"
    response = client.get(found.group(1))
    cache_control = response.headers["Cache-Control"]
    assert "immutable" in cache_control and f"max-age={YEAR}" in cache_control
    assert "public" in cache_control
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers
    response.close()
    # An old address still gets the file, but not for a year: it may have changed.
    old = client.get("/static/css/site.css?v=0123456789ab")
    assert old.status_code == 200 and "immutable" not in old.headers["Cache-Control"]
    old.close()


def test_the_hash_in_a_static_address_is_the_hash_of_the_file(app, client, meppel):
    import hashlib
    from pathlib import Path

    html = client.get("/").get_data(as_text=True)
    digest = STATIC_LINK.search(html).group(2)
    content = (Path(app.static_folder) / "css" / "site.css").read_bytes()
    assert hashlib.sha256(content).hexdigest().startswith(digest)


@pytest.mark.parametrize("path", (*PUBLIC_PAGES, "/login", "/registreren", "/toegankelijkheid"))
def test_every_public_page_has_a_description(client, meppel, path):
    html = client.get(path).get_data(as_text=True)
    found = DESCRIPTION.findall(html)
    assert len(found) == 1 and len(found[0].strip()) > 40, path


def test_the_main_pages_each_describe_themselves(client, meppel):
    descriptions = {
        path: DESCRIPTION.search(client.get(path).get_data(as_text=True)).group(1)
        for path in ("/", "/hulpvragen", "/hulpaanbod", "/vacatures", "/privacy", "/over-ons")
    }
    assert len(set(descriptions.values())) == len(descriptions)


def test_a_visitor_switches_language_without_a_token_and_a_logged_in_person_with_one(
    client, forms, auth, resident, db
):
    response = client.post("/taal", data={"locale": "en", "next": "/privacy"})
    assert response.status_code == 302 and response.location == "/privacy"
    assert '<html lang="en">' in client.get("/privacy").get_data(as_text=True)

    client.delete_cookie("voorelkaar_session")
    auth.login(resident.email)
    before = resident.locale
    refused = client.post("/taal", data={"locale": "en"})  # no token: a forged form
    assert refused.status_code in (302, 400)
    db.refresh(resident)
    assert resident.locale == before != "en"
    forms.post("/taal", {"locale": "en"}, page="/")
    db.refresh(resident)
    assert resident.locale == "en"


def test_the_municipality_chooser_still_remembers_the_choice(client, westerveld):
    page = client.get("/gemeente")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/gemeente", data={"csrf_token": token, "gemeente": "westerveld"})
    assert response.status_code == 302
    assert "Set-Cookie" in response.headers
    html = client.get("/").get_data(as_text=True)
    assert "Gemeente: Westerveld" in html


# The database away: an engine on a port where nothing listens.
UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"


@pytest.fixture
def database_goes_away(app):
    """Call it to point the app at a database that does not answer, from then on."""
    engine = make_engine(UNREACHABLE)
    maker = app.extensions["voorelkaar.sessionmaker"]
    working = app.extensions["voorelkaar.engine"]

    def go_away():
        app.extensions["voorelkaar.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
        app.extensions["voorelkaar.engine"] = engine

    yield go_away
    app.extensions["voorelkaar.sessionmaker"] = maker
    app.extensions["voorelkaar.engine"] = working
    engine.dispose()


def _has_layout(html: str) -> bool:
    return 'class="site-header' in html and "Traceback" not in html


def test_with_the_database_away_a_visitor_gets_the_error_page_in_the_layout(
    client, meppel, database_goes_away
):
    database_goes_away()
    response = client.get("/hulpvragen")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert _has_layout(response.get_data(as_text=True))
    assert response.headers["Cache-Control"] == "no-store"
    missing = client.get("/bestaat-niet")
    assert missing.status_code == 404 and _has_layout(missing.get_data(as_text=True))


def test_with_the_database_away_a_logged_in_person_gets_the_plain_face(
    client, auth, resident, database_goes_away
):
    auth.login(resident.email, PASSWORD)
    database_goes_away()
    # Who is logged in cannot be known: every page is "try again in a minute".
    for path in ("/hulpvragen", "/bestaat-niet", "/"):
        response = client.get(path, headers=GZIP)
        html = gzip.decompress(response.data).decode()
        assert response.status_code == 503, path
        assert _has_layout(html), path
        assert "Uitloggen" not in html and "Riek" not in html, path


def test_with_the_database_away_a_failing_page_still_renders_its_500(
    app, client, meppel, database_goes_away
):
    @app.route("/test-fout-zonder-database")
    def fail():
        raise RuntimeError("boom")

    database_goes_away()
    response = client.get("/test-fout-zonder-database")
    assert response.status_code == 500
    assert _has_layout(response.get_data(as_text=True))


def test_under_gunicorn_pages_and_files_arrive_gzipped_and_files_kept_for_a_year(
    gunicorn_server,  # noqa: F811 - the fixture imported above
):
    """As a browser gets them from the production server (its own file sending included)."""
    import urllib.request

    base, _log = gunicorn_server

    def get(path):
        request = urllib.request.Request(base + path, headers=GZIP)  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, response.headers, response.read()

    status, headers, body = get("/")
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"] == "no-cache" and "Set-Cookie" not in headers
    html = gzip.decompress(body).decode()
    stylesheet = STATIC_LINK.search(html).group(1)
    status, headers, body = get(stylesheet)
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"] == f"public, max-age={YEAR}, immutable"
    assert int(headers["Content-Length"]) == len(body)
    assert b".site-header" in gzip.decompress(body)
