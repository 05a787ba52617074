"""What a page loads from other hosts: the offline check of the admin's pages and the API docs.

A page's own text can hold anything ("cdn" turned up inside a random CSRF token), so the check
reads the URLs the browser would fetch: scripts, stylesheets, images, frames."""

import re

# src= / href= of the tags a browser fetches for the page itself (an <a href> is not fetched).
_FETCHED = re.compile(
    r"<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)\s*=\s*[\"']([^\"']+)[\"']",
    re.IGNORECASE,
)


def external_assets(page: str) -> list[str]:
    """The URLs a page fetches from another host (absolute or protocol-relative)."""
    return [url for url in _FETCHED.findall(page) if re.match(r"^(?:[a-z]+:)?//", url, re.I)]
