"""A bounded load of browsers: each a thread with its own cookies and its own address.

Every request is recorded (start, end, what, status, which web host answered); every
write carries a unique marker, so that afterwards the database can be asked for it.
"""

from __future__ import annotations

import http.client
import itertools
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
FORM_TOKEN = re.compile(
    r'name="((?:[\w-]+-)?form_token)" type="hidden" value="([^"]+)"'
    r'|name="((?:[\w-]+-)?form_token)" value="([^"]+)"'
)
PASSWORD = "demo-wachtwoord"  # noqa: S105 - the demo's public password


@dataclass
class Hit:
    start: float
    end: float
    what: str
    status: int  # 0: no answer at all (connection refused or reset)
    served_by: str = ""


@dataclass
class Write:
    kind: str  # offer, message, request
    marker: str
    acknowledged: bool = False
    statuses: list[int] = field(default_factory=list)


class Browser:
    """Just enough of a browser: cookies, forms with their CSRF and one-time tokens."""

    def __init__(self, host: str, source: str, hits: list[Hit], lock: threading.Lock):
        self.host, self.source = host, source
        self.cookies: dict[str, str] = {}
        self.hits, self.lock = hits, lock

    def request(self, method: str, path: str, what: str, data: dict | None = None, **extra):
        """(status, headers, body); status 0 when no answer came. extra: more headers."""
        headers = {"Host": self.host, "Connection": "close", **extra}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.monotonic()
        status, response_headers, text = 0, {}, ""
        try:
            connection = http.client.HTTPConnection(
                self.host, 80, timeout=30, source_address=(self.source, 0)
            )
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
            response_headers = {k.lower(): v for k, v in response.getheaders()}
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    self._keep_cookie(value)
            connection.close()
        except (OSError, http.client.HTTPException):
            status = 0
        with self.lock:
            self.hits.append(
                Hit(start, time.monotonic(), what, status, response_headers.get("x-served-by", ""))
            )
        return status, response_headers, text

    def _keep_cookie(self, header: str) -> None:
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        gone = "max-age=0" in header.lower() or "expires=thu, 01 jan 1970" in header.lower()
        if gone or not value:
            self.cookies.pop(name.strip(), None)
        else:
            self.cookies[name.strip()] = value

    def get(self, path: str, what: str = "page"):
        return self.request("GET", path, what)

    def submit(self, page: str, action: str, data: dict, what: str):
        """Fetch the form's page and post the form; None when the page itself failed."""
        status, _, html = self.get(page, what + "-form")
        if status != 200:
            return None
        return self.request("POST", action, what, {**tokens(html, action), **data})

    def login(self, email: str, password: str = PASSWORD) -> int:
        status, _, html = self.get("/login", "login-form")
        if status != 200:
            return status
        status, headers, _ = self.request(
            "POST",
            "/login",
            "login",
            {**tokens(html, "/login"), "email": email, "password": password},
        )
        return status


def tokens(html: str, action: str) -> dict:
    """The CSRF token and, for the form posting to action, its one-time form token."""
    found = {}
    csrf = CSRF.search(html)
    if csrf:
        found["csrf_token"] = csrf.group(1) or csrf.group(2)
    for form in html.split("<form")[1:]:
        start, _, rest = form.partition(">")
        target = re.search(r'action="([^"]*)"', start)
        if target and urlsplit(target.group(1)).path != action:
            continue
        token = FORM_TOKEN.search(rest.split("</form>")[0])
        if token:
            found[token.group(1) or token.group(3)] = token.group(2) or token.group(4)
            break
    return found


MARKER = re.compile(r"CL[ORM][0-9a-f]{16}")


def marker(kind: str) -> str:
    return f"CL{kind[0].upper()}{uuid.uuid4().hex[:16]}"


class Load:
    """Runs the browsers until `stop` is set; writes and hits are kept for the checks."""

    ANONYMOUS_PAGES = ("/", "/hulpvragen", "/hulpaanbod", "/login", "/over-ons")

    def __init__(self, host: str, sources: tuple[str, ...], *, offer_category: str,
                 message_match: tuple[int, int] | None, request_form: dict | None):  # fmt: skip
        self.host, self.sources = host, itertools.cycle(sources)
        self.offer_category = offer_category
        self.message_match = message_match  # (match id, request id) of the carer's walk
        self.request_form = request_form
        self.hits: list[Hit] = []
        self.writes: list[Write] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.login_failures: list[str] = []

    def browser(self) -> Browser:
        return Browser(self.host, next(self.sources), self.hits, self.lock)

    def start(self, volunteers: list[str], carer: str, resident: str) -> None:
        plans = [(self._anonymous, None), (self._anonymous, None)]
        plans += [(self._volunteer, email) for email in volunteers]
        if self.message_match:
            plans.append((self._carer, carer))
        if self.request_form is not None:
            plans.append((self._resident, resident))
        for plan, email in plans:
            thread = threading.Thread(target=plan, args=(email,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _pause(self) -> None:
        self.stop.wait(random.uniform(0.02, 0.1))

    def _anonymous(self, _email) -> None:
        browser = self.browser()
        while not self.stop.is_set():
            browser.get(random.choice(self.ANONYMOUS_PAGES))
            self._pause()

    def _logged_in(self, email: str) -> Browser | None:
        browser = self.browser()
        for _ in range(20):
            if self.stop.is_set():
                return None
            if browser.login(email) == 302:
                return browser
            time.sleep(0.5)
        self.login_failures.append(email)
        return None

    def _write(self, browser: Browser, kind: str, page: str, action: str, data_for) -> None:
        """One write; after a 5xx or no answer the user presses again, as people do."""
        write = Write(kind, marker(kind))
        with self.lock:
            self.writes.append(write)
        status, _, html = browser.get(page, kind + "-form")
        if status != 200:
            return
        form = {**tokens(html, action), **data_for(write.marker)}
        for attempt in range(2):
            status, headers, _ = browser.request("POST", action, kind, form)
            write.statuses.append(status)
            if 200 <= status < 400:
                location = headers.get("location", "")
                write.acknowledged = status in (302, 303) and "/login" not in location
                return
            if attempt == 0:
                time.sleep(1)

    def _volunteer(self, email: str) -> None:
        browser = self._logged_in(email)
        while browser and not self.stop.is_set():
            self._write(browser, "offer", "/hulpaanbod/nieuw", "/hulpaanbod/nieuw",
                        lambda m: {"category": self.offer_category, "title": f"Aanbod {m}",
                                   "description": f"Ik help graag in de buurt. {m}",
                                   "skills": "wandelen", "when_text": "dinsdag"})  # fmt: skip
            browser.get(random.choice(("/mijn-aanbod", "/hulpvragen", "/")), "page-in")
            self._pause()

    def _carer(self, email: str) -> None:
        browser = self._logged_in(email)
        match_id, request_id = self.message_match
        while browser and not self.stop.is_set():
            self._write(browser, "message", f"/hulpvragen/{request_id}",
                        f"/aanmeldingen/{match_id}/berichten",
                        lambda m: {"body": f"Dank voor de wandeling. {m}"})  # fmt: skip
            self.stop.wait(random.uniform(0.3, 0.6))

    def _resident(self, email: str) -> None:
        browser = self._logged_in(email)
        while browser and not self.stop.is_set():
            self._write(browser, "request", "/hulpvragen/nieuw", "/hulpvragen/nieuw",
                        lambda m: {**self.request_form, "title": f"Hulp {m}",
                                   "description": f"Wie helpt mij even? {m}"})  # fmt: skip
            self.stop.wait(random.uniform(0.3, 0.6))
