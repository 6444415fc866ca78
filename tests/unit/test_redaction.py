import logging

from voorelkaar.security import RedactSecrets, safe_next


def _format(message, *args):
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, args, None)
    RedactSecrets().filter(record)
    return record.getMessage()


def test_reset_tokens_and_query_strings_never_reach_the_access_log():
    line = _format(
        '%s - - "%s" %s', "127.0.0.1", "GET /wachtwoord-herstellen/eyJ1Ijo.abc HTTP/1.1", "200"
    )
    assert "eyJ1Ijo" not in line
    assert "/wachtwoord-herstellen/[verborgen]" in line
    line = _format('"%s"', "GET /login?next=/privacy&email=riek@example.nl HTTP/1.1")
    assert "riek@example.nl" not in line and "/login?[verborgen]" in line


def test_ordinary_paths_are_logged_as_they_are():
    assert "GET /privacy HTTP/1.1" in _format('"%s"', "GET /privacy HTTP/1.1")


def test_next_only_accepts_paths_on_this_site():
    assert safe_next("/privacy?x=1") == "/privacy?x=1"
    for bad in (
        None,
        "",
        "//evil.example",
        "https://evil.example",
        "/\\\\evil",
        "privacy",
        "/\\x00",
    ):
        assert safe_next(bad) is None
