"""Nothing twice over real HTTP: two POSTs at once on a slow server, and Back in Chromium."""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, build_opener

import pytest
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import event

from tests.conftest import PASSWORD, csrf_token_from, fresh_code
from tests.e2e.conftest import Checked
from tests.e2e.test_help_request_flow import log_in, log_out
from tests.integration.test_nothing_twice import NAMES, creating_forms

SLOW_COMMIT_SECONDS = 1.0


@pytest.fixture
def forms_that_create(db, make_user, make_request):
    return creating_forms(db, make_user, make_request)


@contextmanager
def slow_first_claim(engine):
    """The first transaction that claims a form token waits a second before it commits."""
    slowed, slept = threading.Event(), threading.Event()

    def note_claim(connection, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO FORM_TOKENS"):
            connection.info["claimed"] = True

    def slow_commit(connection):
        if connection.info.pop("claimed", False) and not slowed.is_set():
            slowed.set()
            time.sleep(SLOW_COMMIT_SECONDS)
            slept.set()

    def forget(connection):
        connection.info.pop("claimed", None)

    listeners = (
        ("after_cursor_execute", note_claim),
        ("commit", slow_commit),
        ("rollback", forget),
    )
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield slowed
    finally:
        if slowed.is_set():
            slept.wait(10)  # removing a listener while it runs breaks SQLAlchemy's loop
        for name, listener in listeners:
            event.remove(engine, name, listener)


class _KeepRedirects(HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None  # the 302 itself is the answer to look at


class HttpClient:
    """A browser without JavaScript: cookies, forms, and redirects left unfollowed."""

    def __init__(self, base_url: str, app=None):
        self.base_url = base_url
        self.app = app
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), _KeepRedirects())

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str | None]:
        """(status, Location) of a POST."""
        try:
            with self.opener.open(
                self.base_url + path, urlencode(data).encode(), timeout=30
            ) as response:
                return response.status, None
        except HTTPError as answer:
            return answer.code, answer.headers.get("Location")

    def log_in(self, email: str) -> None:
        token = csrf_token_from(self.get("/login"))
        status, location = self.post(
            "/login", {"csrf_token": token, "email": email, "password": PASSWORD}
        )
        assert status == 302
        if location and location.endswith("/login/code"):
            token = csrf_token_from(self.get("/login/code"))
            code = fresh_code(self.app, email)
            status, _ = self.post("/login/code", {"csrf_token": token, "code": code})
            assert status == 302


def _twice_at_once(engine, client, form):
    """Send form's body twice, half a second apart, while the first one's commit is slow."""
    body = form.body(client.get(form.page))

    def post():
        return client.post(form.target, body), time.monotonic()

    with slow_first_claim(engine) as slowed, ThreadPoolExecutor(2) as pool:
        first = pool.submit(post)
        time.sleep(0.5)
        second_sent = time.monotonic()
        second = pool.submit(post)
        (first_answer, first_answered), (second_answer, _) = first.result(), second.result()
    assert slowed.is_set() and first_answered > second_sent  # the two overlapped
    return first_answer, second_answer


def test_two_posts_half_a_second_apart_on_a_slow_server_make_one_of_each(
    live_server, forms_that_create, db
):
    app, base_url = live_server
    for name in NAMES:
        form = forms_that_create[name]
        client = HttpClient(base_url, app)
        client.log_in(form.email)
        before = form.rows(db)
        first, second = _twice_at_once(app.extensions["voorelkaar.engine"], client, form)
        assert first[0] == second[0] == 302, name
        assert second[1] == first[1], name  # both land on what the first made
        assert form.rows(db) == before + 1, name


def _unfold(scope) -> None:
    """Open the folded section a form sits in ("Bericht sturen"), as a person would."""
    if scope.count():
        scope.first.evaluate("form => { const d = form.closest('details'); if (d) d.open = true; }")


def _fill(scope, data: dict) -> None:
    """Type data into a form by field name, as a person would with the keyboard."""
    _unfold(scope)
    for name, value in data.items():
        field = scope.locator(f'[name="{name}"]')
        kind = field.first.evaluate("element => element.type")
        if kind == "hidden" or not field.first.is_visible():
            continue  # nor can a person type into a part the page hides, like 'Elke week'
        if kind == "radio":
            scope.locator(f'[name="{name}"][value="{value}"]').check()
        elif kind == "checkbox":
            field.set_checked(bool(value))
        elif kind == "select-one":
            field.select_option(value)
        else:
            field.fill(value)


def _form_on(page, form):
    selector = f'form[action="{form.action}"]' if form.action else "main form:not([action])"
    return page.locator(selector)


def _send(page, form) -> None:
    _unfold(_form_on(page, form))
    with page.expect_navigation():
        _form_on(page, form).locator("button[type='submit']").click()


# Forms that are still on the page after Back; the others make way for what was made
# (the response, the request already posted from the referral).
# Forms that are no longer on their page after Back, because what they made replaced them:
# the response, the requests made from a referral, and the invitation (someone asked is not
# suggested again).
STILL_THERE_AFTER_BACK = set(NAMES) - {
    "reactie-op-vacature",
    "hulpvraag-voor-inwoner",
    "hulpvraag-uit-verwijzing",
    "uitnodiging",
}


@pytest.mark.e2e
def test_back_and_send_again_in_chromium_makes_one_of_each(visit, forms_that_create, db):
    """Chromium fetches the form again on Back (no-store), with what was typed but a new token."""
    page = visit.page
    sent_again, retyped = set(), set()
    by_person = sorted(NAMES, key=lambda name: forms_that_create[name].email)
    person = None
    for name in by_person:
        form = forms_that_create[name]
        if form.email != person:
            if person:
                log_out(visit)
            log_in(visit, form.email)
            person = form.email
        before = form.rows(db)
        page.goto(visit.base_url + form.page)
        _fill(_form_on(page, form), form.data)
        _send(page, form)
        landed = page.url

        page.go_back()
        page.wait_for_load_state()
        if _form_on(page, form).count():
            assert _form_on(page, form).locator("[name$='form_token']").count() == 1, name
            _send(page, form)
            sent_again.add(name)
            if page.url != landed:
                # Fields marked autocomplete=off come back empty: the form says so, and
                # typing them again sends the same content.
                assert page.locator(".error-summary").count(), name
                retyped.add(name)
                _fill(_form_on(page, form), form.data)
                _send(page, form)
            assert page.url == landed, name
        assert form.rows(db) == before + 1, name
    assert sent_again == STILL_THERE_AFTER_BACK
    assert retyped == {"verwijzing"}


class Unchecked(Checked):
    """A page without JavaScript, where axe cannot run."""

    def assert_accessible(self):
        self.page.wait_for_load_state("load")


LANDED = re.compile(r"/hulpvragen/\d+$")
WATCH_BUTTON = """button => new MutationObserver(() => console.log(
    "knop: " + button.getAttribute("aria-disabled") + " " + button.textContent
)).observe(button, {attributes: true, childList: true})"""


@pytest.mark.e2e
@pytest.mark.parametrize("javascript", [True, False], ids=["met-javascript", "zonder-javascript"])
def test_pressed_twice_on_a_slow_line_it_is_sent_once_or_lands_on_the_first(
    javascript, browser, live_server, forms_that_create, db
):
    """With JavaScript the button says it is busy and a second click sends nothing;
    without, Chromium sends the form again and the server lands it on the first."""
    app, base_url = live_server
    form = forms_that_create["hulpvraag"]
    context = browser.new_context(locale="nl-NL", java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    # axe needs JavaScript; these pages are checked with it in the other tests.
    visit = Checked(page, base_url, app) if javascript else Unchecked(page, base_url, app)
    log_in(visit, form.email)
    visit.goto(form.page)
    _fill(_form_on(page, form), form.data)
    button = _form_on(page, form).locator("button[type='submit']")
    said, posts = [], []
    if javascript:
        button.evaluate(WATCH_BUTTON)
        page.on("console", lambda message: said.append(message.text))
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    before = form.rows(db)
    with slow_first_claim(app.extensions["voorelkaar.engine"]):
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(300)
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            page.wait_for_url(LANDED)
        except PlaywrightError:  # the second POST cut the first one's page off
            page.wait_for_url(LANDED)

    assert form.rows(db) == before + 1
    assert "Dank u wel" in page.content()
    if javascript:
        assert "knop: true Bezig…" in said
        assert len(posts) == 1
    else:
        assert len(posts) == 2
    visit.assert_accessible()
    context.close()


@pytest.mark.e2e
def test_a_busy_button_passes_axe(visit, forms_that_create):
    """How a button looks while its form is sent (static/js/site.js), checked on a page that stays."""
    form = forms_that_create["bericht-in-afspraak"]
    log_in(visit, form.email)
    visit.goto(form.page)
    _form_on(visit.page, form).locator("button[type='submit']").evaluate(
        "button => { button.setAttribute('aria-disabled', 'true'); button.textContent = 'Bezig…';"
        " button.form.dataset.busy = 'true'; }"
    )
    visit.assert_accessible()
