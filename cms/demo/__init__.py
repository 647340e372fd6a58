"""Demo content: a small alliance around artisanal cobalt, built through the services.

Every step looks for what it would create first, so running it twice changes nothing.
"""

DEMO_PASSWORD = "chaintable-demo"
