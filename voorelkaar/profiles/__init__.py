"""Profiles: what you tell about yourself, and what others may see of it."""
