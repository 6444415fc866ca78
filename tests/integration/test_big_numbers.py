"""Numbers too big for the database in an address are a 404 or a normal page, never a 500."""

import re

import pytest

from tests.conftest import csrf_token_from
from voorelkaar.models import Role

TOO_BIG = (10**23, 2**31)
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def numbered_rules(app):
    """Every route with an <int:...> in it, once per method a person can send."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if any(kind == "int" for kind, _name in ARGUMENT.findall(rule.rule)):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.rule, method


def with_number(rule: str, number: int) -> str:
    """rule with number for its ints and a harmless word for its other parts."""
    return ARGUMENT.sub(lambda m: str(number) if m.group(1) == "int" else "woord", rule)


def answers_for(client, app, number: int, *, logged_in: bool) -> dict[str, int]:
    """The status of every numbered route with number in it; POSTs carry a valid CSRF token."""
    form_page = "/wachtwoord-wijzigen" if logged_in else "/login"
    token = csrf_token_from(client.get(form_page).get_data(as_text=True))
    statuses = {}
    for rule, method in numbered_rules(app):
        url = with_number(rule, number)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        statuses[f"{method} {url}"] = response.status_code
    return statuses


def test_the_app_has_numbered_routes_to_check(app):
    assert len(list(numbered_rules(app))) > 30


@pytest.mark.parametrize("number", TOO_BIG)
def test_a_number_too_big_for_the_database_is_not_found_for_staff(
    app, client, auth, make_user, number
):
    make_user(*Role, email="alles@example.nl")
    auth.login("alles@example.nl")
    statuses = answers_for(client, app, number, logged_in=True)
    assert {url: code for url, code in statuses.items() if code != 404} == {}


@pytest.mark.parametrize("number", TOO_BIG)
def test_a_number_too_big_for_the_database_is_not_found_for_a_visitor(app, client, number):
    statuses = answers_for(client, app, number, logged_in=False)
    assert {url: code for url, code in statuses.items() if code != 404} == {}


def test_the_largest_id_the_database_holds_still_reaches_the_view(client, auth, staff):
    auth.login(staff.email)
    assert client.get(f"/taken/{2**31 - 1}").status_code == 404
    assert client.get("/taken/0").status_code == 404


PAGED = ("/hulpvragen", "/hulpaanbod", "/vacatures", "/taken")
ODD_NUMBERS = (str(10**23), str(2**31), str(2**63), "-5", "0", "abc", "1e9", " 3")


@pytest.mark.parametrize("path", PAGED)
def test_any_number_in_a_list_s_query_gives_a_page(client, auth, make_user, path):
    make_user(*Role, email="alles@example.nl")
    auth.login("alles@example.nl")
    for odd in ODD_NUMBERS:
        for query in ({"pagina": odd}, {"pagina": odd, "wijk": odd, "postcode": "7941 AB"}):
            assert client.get(path, query_string=query).status_code == 200, query
