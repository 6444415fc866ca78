"""A municipality's own settings (its face, logo, wijken, categories), edited by its admins."""

from flask import Flask


def init_app(app: Flask) -> None:
    """A logo holds no personal data: browsers and proxies may keep it."""
    from voorelkaar import security

    security.CACHEABLE_ENDPOINTS.add("municipalities.logo")
