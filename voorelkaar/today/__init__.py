"""Today: what needs a person in the back office now, each line one click from acting."""
