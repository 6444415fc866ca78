"""Informal carers (mantelzorgers): check-ins on their own cadence, and their history."""


def init_app(_app) -> None:
    """Register the check-in question and its waiting action."""
    from voorelkaar.carers import actions, answers

    answers.register()
    actions.register()
