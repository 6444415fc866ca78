"""The back office's own menu line: each kind of worker sees their work, others nothing."""

import pytest

from voorelkaar.models import Role


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        (Role.STAFF, ("/taken", "/overzicht/hulpvragen", "/overzicht/mensen", "/cijfers"), ()),
        (Role.CONSULTANT, ("/verwijzingen",), ("/taken", "/overzicht/mensen", "/cijfers")),
        (Role.POLICY, ("/cijfers",), ("/taken", "/overzicht/mensen", "/verwijzingen")),
        (Role.VOLUNTEER, (), ("/taken", "/overzicht/mensen", "/cijfers", 'aria-label="Werk"')),
    ],
)
def test_the_work_menu_shows_each_worker_their_own_pages(
    client, auth, make_user, role, present, absent
):
    person = make_user(role, email=f"{role.value}@example.nl")
    auth.login(person.email)
    page = client.get("/").get_data(as_text=True)
    nav = page[page.index('<nav class="site-nav"') : page.index("</nav>")]
    for href in present:
        assert f'href="{href}"' in nav, (role, href)
    for href in absent:
        assert f'href="{href}"' not in nav and href not in nav, (role, href)
