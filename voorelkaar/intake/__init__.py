"""Phone intake: staff take a call and, in one form, take the caller in."""
