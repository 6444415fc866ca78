"""Offers of help (hulpaanbod): volunteers say what they like to do."""
