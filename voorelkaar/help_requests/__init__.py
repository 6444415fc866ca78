"""Help requests (hulpvragen): ask, browse, manage."""


def init_app(_app) -> None:
    """Register the request's question, events and waiting actions with their mechanisms."""
    from voorelkaar.help_requests import actions, answers, events

    answers.register()
    events.register()
    actions.register()
