"""The JSON API's endpoints of this app (mounted under /api/v1/ by bookstore/api_urls.py)."""
