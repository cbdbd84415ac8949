"""Producers' own pages: the application and the organisation's home (application.py), edits of its data
(profile.py), its certificates and production areas (holdings.py)."""
