"""Organisations: verified by staff, they post vacancies that volunteers respond to."""


def init_app(_app) -> None:
    """Register the responses waiting on an organisation's members."""
    from voorelkaar.organisations import actions

    actions.register()
