"""Wmo referrals: consultants send residents to the platform and see what came of it."""
