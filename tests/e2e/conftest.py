"""A live server and a real Chromium, with an axe-core check for every page."""

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import fresh_code, missing

CHROMIUM = "/usr/bin/chromium"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        missing("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class Checked:
    """A browser page whose every visited page must pass axe-core."""

    def __init__(self, page, base_url: str, app=None):
        self.page = page
        self.base_url = base_url
        self.app = app  # the live server's app, for the code a test user's phone would show
        self.checked: list[str] = []
        self.console_errors: list[str] = []
        page.on("console", self._console)

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        self.assert_accessible()

    def assert_accessible(self):
        """Run axe-core (WCAG 2.1 A and AA) on the current page; no violations allowed."""
        self.page.wait_for_load_state("load")
        self.page.evaluate(_axe_source())
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        violations = [
            {
                "id": violation["id"],
                "help": violation["help"],
                "nodes": [node["target"] for node in violation["nodes"]][:5],
            }
            for violation in result["violations"]
        ]
        assert violations == [], (
            f"axe found violations on {self.page.url}:\n{json.dumps(violations, indent=2)}"
        )
        self.checked.append(self.page.url)

    def submit(self, button_name: str):
        """Press a submit button, wait for the next page, and check it."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button_name, exact=True).click()
        self.assert_accessible()


@pytest.fixture
def visit(browser, live_server):
    """A fresh browser context on the live server; yields a Checked page."""
    app, base_url = live_server
    context = browser.new_context(locale="nl-NL", java_script_enabled=True)
    page = context.new_page()
    checked = Checked(page, base_url, app)
    yield checked
    csp_violations = [text for text in checked.console_errors if "Content Security Policy" in text]
    context.close()
    assert csp_violations == []


def pass_code_step(visit: Checked, email: str) -> None:
    """After the password: type the code from the test app, if the account asks for one."""
    if not visit.page.url.endswith("/login/code"):
        return
    visit.page.get_by_label("Code uit uw app").fill(fresh_code(visit.app, email))
    visit.submit("Inloggen")
