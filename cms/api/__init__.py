"""The read-only open-data API, under /api/v1/ (see cms/public_urls.py)."""
