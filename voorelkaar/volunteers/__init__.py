"""Volunteers: weekly availability, reach, VOG, and requests near them."""


def init_app(_app) -> None:
    """Register what a volunteer should see first on their overview."""
    from voorelkaar.volunteers import actions

    actions.register()
