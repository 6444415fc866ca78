"""One-click answers from emails: a signed link opens a page with the answer chosen.

The page's button changes things, never the GET itself: mail scanners open links too.
Each kind of question (see QUESTIONS) says which answers exist, what the link is about,
and what an answer does. A link whose question was already answered says so instead, and
changes nothing; only the link's own user, logged in, sees what they answered and when.
"""
