"""Concerns raised with the setting, and complaints to the council (issue 19)."""
