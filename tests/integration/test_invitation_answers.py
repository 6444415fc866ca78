"""A volunteer's "nee" to an invitation reads as such to whoever invited them, not as if
someone else was chosen."""

from sqlalchemy import update

from voorelkaar.db import utcnow
from voorelkaar.matches import services
from voorelkaar.models import Match, MatchState, Role


def test_a_no_to_an_invitation_reads_wil_deze_keer_niet_on_the_request_page(
    db, app, client, auth, make_user, make_request, staff
):
    asker = make_user(Role.RESIDENT, email="riek@example.nl")
    item = make_request(asker, title="Boodschappen", postcode="7941 AB")
    sem = make_user(Role.VOLUNTEER, email="sem@example.nl", name="Sem Hoekstra")
    ans = make_user(Role.VOLUNTEER, email="ans@example.nl", name="Ans Kok")
    with app.test_request_context():
        said_no = services.invite_volunteer(db, staff, item, sem)
        ended = services.invite_volunteer(db, staff, item, ans)
        services.answer_invitation(db, said_no, accept=False)
    # Ans's invitation ended because someone else helps (the request filled up).
    db.execute(
        update(Match)
        .where(Match.id == ended.id)
        .values(state=MatchState.DECLINED, ended_at=utcnow())
    )
    db.commit()
    auth.login(staff.email)
    page = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    sem_part = page[page.index("Sem") :]
    assert "wil deze keer niet" in sem_part.split("Status")[1][:80]
    assert "iemand anders helpt" in page  # Ans's, which ended because the request filled


def test_the_invitation_mail_says_what_when_and_where_but_not_the_address(
    db, app, make_user, make_request, staff
):
    from sqlalchemy import select

    from voorelkaar.models import OutboxMessage

    asker = make_user(Role.RESIDENT, email="riek@example.nl")
    item = make_request(asker, title="Boodschappen", postcode="7941 AB")
    sem = make_user(Role.VOLUNTEER, email="sem@example.nl", name="Sem Hoekstra")
    with app.test_request_context():
        services.invite_volunteer(db, staff, item, sem)
    db.commit()
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "sem@example.nl"))
    body = mail.body_text
    assert "Wat: " in body and "Wanneer: " in body and "14:00–16:00" in body
    assert "Waar: " in body and " km van u" in body
    assert "7941 AB" not in body and "Het adres hoort u pas" in body


def test_suggestions_show_staff_the_profile_and_the_asker_a_name_that_gives_nothing_away(
    db, client, auth, make_user, make_request, staff
):
    from datetime import date, timedelta

    asker = make_user(Role.RESIDENT, email="riek@example.nl")
    item = make_request(asker, title="Boodschappen", postcode="7941 AB")
    twins = [
        make_user(Role.VOLUNTEER, email=f"sem{n}@example.nl", name="Sem Hoekstra", postcode=pc)
        for n, pc in enumerate(("7941 AB", "7942 AB"))
    ]
    twins[0].vog_valid_until = date.today() + timedelta(days=300)
    db.commit()

    auth.login(staff.email)
    page = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    for twin in twins:
        assert f'href="/mensen/{twin.id}"' in page
    assert "VOG geldig tot" in page and "Geen geldige VOG" in page
    assert "0 keer eerder geholpen." in page
    auth.logout()

    auth.login(asker.email)
    page = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "Sem H.," in page and "Hoekstra" not in page and "/mensen/" not in page
