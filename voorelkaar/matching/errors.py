"""What the matching core raises for input it cannot rank honestly."""


class MatchingError(ValueError):
    """Input to matching that would give a wrong answer rather than none."""


class InvalidCoordinates(MatchingError):
    """A latitude outside -90..90, a longitude outside -180..180, or not a number."""


class InvalidSlot(MatchingError):
    """A weekday outside 0..6, or a time slot that does not end after it starts."""


class InvalidRadius(MatchingError):
    """A negative or non-numeric radius or travel distance."""


class InvalidWeights(MatchingError):
    """Weights that are negative, not finite, or all zero."""


class InvalidLimit(MatchingError):
    """A ranking limit that is not a whole number of at least 1."""


class InvalidCandidate(MatchingError):
    """Something that is not a Candidate, or two candidates in reach with the same id."""
