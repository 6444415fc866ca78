"""Matching volunteers and requests: the service around the pure matching core."""
