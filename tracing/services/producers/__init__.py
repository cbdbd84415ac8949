"""Producer organisations' services: the record and staff (profile.py), changes to verified identity
(changes.py), the verification workflow (verification.py), and the checks of what a producer states
(contact.py). Callers use them through tracing.services."""
