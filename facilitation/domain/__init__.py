"""The rules. Pure functions on top of the session: they flush, never commit, never emit."""
