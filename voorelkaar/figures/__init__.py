"""Figures for the municipality: per wijk, category and month, computed in SQL."""
