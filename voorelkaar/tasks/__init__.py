"""The staff queue: tasks that jobs and features create, and staff claim and close."""


def init_app(_app) -> None:
    """Register what waits on staff with the overview's "Actie nodig", and what closes tasks."""
    from voorelkaar.tasks import actions, events

    actions.register()
    events.register()
