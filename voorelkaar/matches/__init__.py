"""Matching volunteers and requests: the service around the pure matching core."""


def init_app(_app) -> None:
    """Register the match's questions, events, waiting actions and what a block ends."""
    from voorelkaar.matches import actions, answers, events, services
    from voorelkaar.moderation.services import when_blocked

    answers.register()
    events.register()
    actions.register()
    when_blocked("matches", services.release_blocked_volunteer)
