"""The JSON API under /api/v1, for the systems around the platform."""
