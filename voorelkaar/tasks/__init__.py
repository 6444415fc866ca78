"""The staff queue: tasks that jobs and features create, and staff claim and close."""


def init_app(_app) -> None:
    """Register what waits on staff with the overview's "Actie nodig"."""
    from voorelkaar.tasks import actions

    actions.register()
