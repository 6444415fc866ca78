"""The welcome page leads somewhere, and the overview links what exists instead of promising it."""

import re

from voorelkaar.models import Role

CARD = re.compile(r'<div class="card card--link">(.*?)</div>', re.S)
LINK = re.compile(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>')


def cards(html: str) -> list[tuple[str, str, str]]:
    """(heading, link target, link name) of each card; a card holds exactly one link."""
    found = []
    for card in CARD.findall(html):
        links = LINK.findall(card)
        assert len(links) == 1, card
        assert "<button" not in card and "<input" not in card
        heading = re.search(r"<h2[^>]*>(.*?)</h2>", card, re.S).group(1)
        found.append((re.sub(r"<[^>]+>", "", heading), *links[0]))
    return found


def test_each_welcome_card_is_one_link_named_by_its_heading(client):
    html = client.get("/").get_data(as_text=True)
    assert cards(html) == [
        ("Ik zoek hulp", "/registreren?rol=resident", "Ik zoek hulp"),
        ("Ik wil helpen", "/hulpvragen", "Ik wil helpen"),
        ("Ik zorg voor iemand", "/registreren?rol=carer", "Ik zorg voor iemand"),
    ]


def test_every_card_leads_to_a_page_a_visitor_may_open(client, meppel):
    for _heading, target, _name in cards(client.get("/").get_data(as_text=True)):
        assert client.get(target).status_code == 200, target


TICKED = re.compile(r'<input checked [^>]*name="roles" type="checkbox" value="(\w+)"')


def ticked_roles(html: str) -> set[str]:
    return set(TICKED.findall(html))


def test_registering_from_the_carer_card_has_the_carer_role_ticked(client):
    assert ticked_roles(client.get("/registreren").get_data(as_text=True)) == {"resident"}
    carer = client.get("/registreren?rol=carer").get_data(as_text=True)
    assert ticked_roles(carer) == {"carer"}
    both = client.get("/registreren?rol=carer&rol=volunteer").get_data(as_text=True)
    assert ticked_roles(both) == {"carer", "volunteer"}


def test_a_role_one_cannot_choose_oneself_in_the_link_leaves_the_default(client):
    for asked in ("staff", "admin", "", "x" * 500):
        html = client.get("/registreren", query_string={"rol": asked}).get_data(as_text=True)
        assert ticked_roles(html) == {"resident"}


def test_the_overview_links_mijn_inzet_and_promises_nothing(client, auth, make_user):
    make_user(*Role, email="alles@example.nl")
    auth.login("alles@example.nl")
    html = client.get("/").get_data(as_text=True)
    assert '<a href="/mijn-inzet">Mijn inzet</a>' in html
    assert "Binnenkort" not in html
    admin_card = html.split('id="rol-admin"')[1].split("</div>")[0]
    assert "wijken" not in admin_card.lower()
