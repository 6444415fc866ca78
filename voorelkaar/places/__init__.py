"""Municipalities and neighbourhoods (wijken)."""
