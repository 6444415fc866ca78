"""Informal carers (mantelzorgers): check-ins on their own cadence, and their history."""
