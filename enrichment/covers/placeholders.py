"""Known "no cover" answers that are valid images (see shared docs, providers.md)."""

import hashlib
import re
from urllib.parse import urlsplit

#: Open Library's covers service answers a missing cover with this 1x1 GIF89a (43 bytes)
#: unless asked with ?default=false (conf/coverstore.yml: static/images/empty.gif).
OPENLIBRARY_MISSING_COVER_GIF = bytes.fromhex(
    "47494638396101000100f00000000000ffffff21f90405000000002c00000000010001000002024401003b"
)
#: MD5s of Google Books' "image not available" images.
GOOGLE_PLACEHOLDER_MD5S = frozenset(
    {"0de4383ebad0adad5eeb8975cd796657", "a64fa89d7ebc97075c1d363fc5fea71f"}
)
#: Amazon's image hosts (seen as guessed "fallback" covers in the seed documents).
AMAZON_IMAGE_DOMAINS = (
    "amazon.com",
    "ssl-images-amazon.com",
    "images-amazon.com",
    "media-amazon.com",
)
#: Pieces of Amazon image URLs that always name a placeholder.
AMAZON_PLACEHOLDER_URL = re.compile(
    r"/01RmK\+J4pJL\.|no-image-avail|no-img-sm|loading-", re.IGNORECASE
)


def is_amazon_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in AMAZON_IMAGE_DOMAINS)


def placeholder_url_reason(url: str) -> str:
    """Why this URL is a known placeholder without fetching it ("" when it is not)."""
    if url and is_amazon_url(url) and AMAZON_PLACEHOLDER_URL.search(url):
        return "Amazon placeholder URL"
    return ""


def placeholder_bytes_reason(data: bytes) -> str:
    """Why these bytes are a known placeholder image ("" when they are not)."""
    if data == OPENLIBRARY_MISSING_COVER_GIF:
        return "Open Library's 1x1 missing-cover GIF"
    if hashlib.md5(data, usedforsecurity=False).hexdigest() in GOOGLE_PLACEHOLDER_MD5S:
        return "Google Books' 'image not available' image"
    return ""
