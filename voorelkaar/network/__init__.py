"""Your own network first: the people around a resident, the network check, the circle."""


def init_app(_app) -> None:
    """Register the network's events, answer links and jobs."""
    from voorelkaar.network import actions, answers, events

    events.register()
    answers.register()
    actions.register()
