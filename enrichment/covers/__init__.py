"""The cover pipeline: fetch (allowlisted hosts, vetted addresses, byte cap) → verify (Pillow,
placeholders) → store (content-hash names, WebP thumbnails) → assign to an edition or work.

A cover counts only when its bytes were fetched and verified.
"""

from enrichment.covers.choose import CoverChoice, RejectedCover, choose_cover, ordered_cover_refs
from enrichment.covers.errors import CoverRejected, RejectionReason
from enrichment.covers.fetch import fetch_cover_bytes
from enrichment.covers.render import render_original, render_thumbnails
from enrichment.covers.store import (
    StoredCover,
    assign_cover,
    cover_names,
    medium_thumbnail_url,
    store_cover,
)
from enrichment.covers.verify import VerifiedImage, verify_cover

__all__ = [
    "CoverChoice",
    "CoverRejected",
    "RejectedCover",
    "RejectionReason",
    "StoredCover",
    "VerifiedImage",
    "assign_cover",
    "choose_cover",
    "cover_names",
    "fetch_cover_bytes",
    "medium_thumbnail_url",
    "ordered_cover_refs",
    "render_original",
    "render_thumbnails",
    "store_cover",
    "verify_cover",
]
