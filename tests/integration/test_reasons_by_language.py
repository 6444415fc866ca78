"""Why a volunteer suits a request is said in the visitor's language."""

import pytest
from flask import render_template_string, session

from voorelkaar.matching import Reason
from voorelkaar.matching.availability import availability_phrase
from voorelkaar.matching.distance import distance_phrase
from voorelkaar.matching.rank import FLEXIBLE_REASON, VOG_REASON
from voorelkaar.matching.skills import skill_phrase
from voorelkaar.models import Role

REASONS = [
    (distance_phrase(1.24), "1.2 km from the help request"),
    (distance_phrase(1234.56), "1234.6 km from the help request"),
    (distance_phrase(0.04), "less than 100 m from the help request"),
    (skill_phrase("Boodschappen doen"), "can help with boodschappen doen"),
    (skill_phrase("wandelen"), "has experience with wandelen"),
    (FLEXIBLE_REASON, "available at flexible times"),
    (availability_phrase([(1, 1)], 1.0), "available Tuesday afternoon"),
    (
        availability_phrase([(0, 0), (0, 1)], 1.0),
        "available Monday morning and Monday afternoon",
    ),
    (
        availability_phrase([(0, 0), (0, 1), (0, 2)], 1.0),
        "available Monday morning, Monday afternoon and at other times",
    ),
    (availability_phrase([(3, 0)], 0.5), "partly available Thursday morning"),
    (
        availability_phrase([(5, 2), (6, 0)], 0.5),
        "partly available Saturday evening and Sunday morning",
    ),
    (VOG_REASON, "has a VOG"),
]


def say(app, reason: str, locale: str) -> str:
    """Render a reason through the template filter for a visitor who chose locale."""
    with app.test_request_context():
        session["locale"] = locale
        return render_template_string("{{ reason|reason }}", reason=reason)


@pytest.mark.parametrize(("reason", "english"), REASONS, ids=str)
def test_a_reason_reads_as_the_core_says_it_in_dutch(app, reason, english):
    assert say(app, reason, "nl") == str(reason)


@pytest.mark.parametrize(("reason", "english"), REASONS, ids=str)
def test_a_reason_reads_in_english_for_an_english_visitor(app, reason, english):
    assert say(app, reason, "en") == english


def test_every_code_is_covered_here():
    codes = {reason.code for reason, _ in REASONS}
    assert codes == {
        "distance",
        "nearby",
        "skill_can",
        "skill_experience",
        "flexible",
        "available",
        "vog",
    }


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_plain_string_reason_is_shown_as_it_is(app, locale):
    assert say(app, "woont dichtbij", locale) == "woont dichtbij"


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_reason_of_an_unknown_kind_is_shown_in_dutch(app, locale):
    assert say(app, Reason("woont in dezelfde straat", "street"), locale) == (
        "woont in dezelfde straat"
    )


def test_a_skill_as_a_volunteer_typed_it_is_escaped(app):
    html = say(app, skill_phrase("tuin <b>& erf"), "nl")
    assert html == "heeft ervaring met tuin &lt;b&gt;&amp; erf"


def test_an_english_volunteer_sees_english_reasons_near_them(
    forms, auth, client, db, make_user, make_request
):
    asker = make_user(Role.RESIDENT, email="riek@example.nl", postcode="7943 AC")
    make_request(asker, title="Boodschappen doen", postcode="7943 AC", skills="boodschappen")
    helper = make_user(Role.VOLUNTEER, email="sanne@example.nl", postcode="7942 JD")
    helper.skills = "boodschappen"
    db.commit()
    auth.login("sanne@example.nl")
    forms.post("/beschikbaarheid", {"d1_middag": "y", "travel_km": "5", "available": "y"})
    forms.post("/taal", {"locale": "en"}, page="/")
    html = client.get("/bij-mij-in-de-buurt").get_data(as_text=True)
    assert "km from the help request" in html and "km van de hulpvraag" not in html
    assert "available Tuesday afternoon" in html
    assert "has experience with boodschappen" in html
