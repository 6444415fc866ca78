"""Organisations: verified by staff, they post vacancies that volunteers respond to."""
