"""Matching volunteers and requests: the service around the pure matching core."""


def init_app(_app) -> None:
    """Register the match's questions, events and waiting actions with their mechanisms."""
    from voorelkaar.matches import actions, answers, events

    answers.register()
    events.register()
    actions.register()
