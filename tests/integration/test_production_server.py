"""The site under gunicorn, as a hosting party runs it: its access log holds no secrets,
and its Server header names no server software."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import LogScan, _free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET_PATHS = (
    "/wachtwoord-herstellen/eyJ1IjoxMiwicCI6ImFiYyJ9.Z1n2bQ.geheim-token-1234567890",
    "/verwijzing/ABCD2345",
    "/verwijzing/ABCD2345/hulpvraag",
    "/antwoord/geheim-antwoord-token-abcdefghijklmnop",
    "/afmelden/geheim-afmeld-token-abcdefghijklmnopq",
    "/uitnodiging/geheim-uitnodiging-abcdefghijklmn",
    "/verwijzing?code=ABCD+2345",
    "/wachtwoord-vergeten?email=inwoner@example.nl",
)


def start_gunicorn(database_url: str, folder: Path, workers: int = 1):
    """gunicorn with gunicorn.conf.py on a free port; returns (process, base URL, access log)."""
    port = _free_port()
    access_log = folder / "access.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-" + "g" * 40,
        "MAIL_URL": f"file://{folder / 'mail'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": str(access_log),
        "GUNICORN_ERROR_LOG": str(folder / "error.log"),
        "WEB_CONCURRENCY": str(workers),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for(port, server)
    return server, f"http://127.0.0.1:{port}", access_log


@pytest.fixture
def gunicorn_server(database_url, tmp_path):
    server, base, access_log = start_gunicorn(database_url, tmp_path)
    try:
        yield base, access_log
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail("gunicorn stopped while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not start within a minute")


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_gunicorns_access_log_holds_no_token_and_the_server_header_no_software(gunicorn_server):
    base, access_log = gunicorn_server
    status, headers = _get(base + "/")
    assert status == 200
    assert "gunicorn" not in (headers.get("Server") or "").lower()
    for path in SECRET_PATHS:
        status, _headers = _get(base + path)
        assert status < 500, path
    # gunicorn writes a line after the response; give the last one a moment.
    deadline = time.monotonic() + 10
    while access_log.read_text().count("\n") < len(SECRET_PATHS) + 1:
        assert time.monotonic() < deadline, access_log.read_text()
        time.sleep(0.1)

    lines = access_log.read_text().splitlines()
    assert any("/wachtwoord-herstellen/[verborgen]" in line for line in lines), lines
    for line in lines:
        for what, pattern in LogScan.FORBIDDEN:
            assert not pattern.search(line), f"{what} in gunicorn's access log: {line}"
        for secret in ("geheim", "ABCD2345", "ABCD+2345", "eyJ1"):
            assert secret not in line, line
