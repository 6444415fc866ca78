"""Moderation: review posts, keep an audit trail."""
