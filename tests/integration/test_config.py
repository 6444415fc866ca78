"""Settings: environment over defaults, and production refuses unsafe settings."""

import pytest

from voorelkaar import create_app


def test_environment_variables_override_the_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    monkeypatch.setenv("BASE_URL", "https://meppel.voorelkaar.nl")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    app = create_app({"TESTING": True})
    assert app.config["BASE_URL"] == "https://meppel.voorelkaar.nl"
    assert app.config["SQLALCHEMY_URL"].endswith("env.sqlite")
    app.extensions["voorelkaar.engine"].dispose()


def test_a_postgres_url_uses_psycopg_3(monkeypatch):
    from voorelkaar.config import database_url

    assert (
        database_url({"DATABASE_URL": "postgres://u@h/db"}, "/x") == "postgresql+psycopg://u@h/db"
    )


def test_development_generates_a_secret_key_once_and_keeps_it_in_instance(tmp_path):
    from voorelkaar.config import ensure_secret_key

    first = {"VOORELKAAR_ENV": "development"}
    second = {"VOORELKAAR_ENV": "development"}
    ensure_secret_key(first, str(tmp_path))
    ensure_secret_key(second, str(tmp_path))
    assert len(first["SECRET_KEY"]) >= 64
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"VOORELKAAR_ENV": "production"}, "SECRET_KEY"),
        ({"VOORELKAAR_ENV": "production", "SECRET_KEY": "kort"}, "SECRET_KEY"),
        ({"VOORELKAAR_ENV": "production", "SECRET_KEY": "s" * 40, "DEBUG": True}, "DEBUG"),
    ],
)
def test_production_refuses_to_start_unsafely(monkeypatch, tmp_path, settings, message):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match=message):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite'}", **settings})


def test_production_sets_secure_cookies_and_hsts(tmp_path):
    app = create_app(
        {
            "VOORELKAAR_ENV": "production",
            "SECRET_KEY": "s" * 40,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite'}",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/healthz")
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    # The session cookie carries the __Host- prefix, with what the prefix demands.
    login = app.test_client().get("/login", base_url="https://localhost")
    cookie = login.headers["Set-Cookie"]
    assert cookie.startswith("__Host-voorelkaar_session=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    app.extensions["voorelkaar.engine"].dispose()
