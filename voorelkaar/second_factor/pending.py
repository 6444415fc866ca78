"""Half logged in: the password was right, the code from the app is still to come.

The state lives in the (signed) session cookie for a few minutes and gives no rights:
Flask-Login knows nobody until the code passes and start_session runs. Wrong codes are
counted here for the person (back to the login page after a few), and by the limiter on
the server, which an old copy of the cookie cannot reset.
"""

import time

from flask import current_app, redirect, session, url_for
from sqlalchemy.orm import Session

from voorelkaar.models import User

SESSION_KEY = "second_factor"


def needs_code(user: User) -> bool:
    """Whether logging in as user takes a code after the password."""
    return user.has_second_factor


def ask_for_code(user: User, next_page: str | None):
    """Remember who gave the right password, and send them to the code page."""
    state = {"user": user.id, "since": int(time.time()), "tries": 0}
    if next_page:
        state["next"] = next_page
    session[SESSION_KEY] = state
    return redirect(url_for("second_factor.code"))


def _state() -> dict | None:
    state = session.get(SESSION_KEY)
    if not isinstance(state, dict) or not isinstance(state.get("since"), int):
        return None
    if state["since"] + current_app.config["SECOND_FACTOR_PENDING_SECONDS"] < time.time():
        return None
    return state


def pending_user(db: Session) -> User | None:
    """The person halfway through logging in, if the password was given minutes ago."""
    state = _state()
    user_id = state.get("user") if state else None
    user = db.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or not user.has_second_factor:
        return None
    return user


def pending_user_id() -> int | None:
    """For the limiter's key: who is halfway, without a database query."""
    state = _state()
    return state.get("user") if state else None


def next_page() -> str | None:
    state = _state()
    return state.get("next") if state else None


def count_wrong_code() -> bool:
    """Count a wrong code; whether tries are left (if not, the half login is over)."""
    state = dict(session.get(SESSION_KEY) or {})
    state["tries"] = int(state.get("tries", 0)) + 1
    if state["tries"] >= current_app.config["SECOND_FACTOR_TRIES"]:
        forget()
        return False
    session[SESSION_KEY] = state
    return True


def forget() -> None:
    session.pop(SESSION_KEY, None)
