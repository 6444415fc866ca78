"""Volunteers: weekly availability, reach, VOG, and requests near them."""
