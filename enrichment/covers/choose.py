"""Pick the cover of a request: try every candidate, best source first; the first that verifies
wins. Open Library and Archive.org by cover id first, then ISBNdb, then Google Books (often poor
scans), then anything else, and Amazon URL patterns last (only ever a cover if they verify).
An author's photo whose source states its licence (Wikimedia Commons) comes before all: it is
stored with that licence, which Open Library's photos do not state.

All of a request's candidates share one download deadline (COVER_CONNECT_TIMEOUT +
COVER_READ_TIMEOUT), and a host that timed out is not asked again for the same request: one
slow or dripping host never holds the cover step longer than one download may take.
"""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

from enrichment.candidates import CoverRef
from enrichment.covers import hosts, placeholders
from enrichment.covers.errors import CoverRejected, RejectionReason
from enrichment.covers.fetch import download_seconds, fetch_cover_bytes
from enrichment.covers.verify import VerifiedImage, verify_cover
from enrichment.proposals import CoverRejection

logger = logging.getLogger(__name__)

BY_COVER_ID_PROVIDERS = frozenset({"openlibrary", "openlibrary_dump", "archive_org"})
PROVIDER_PRIORITY = {"isbndb": 2, "google_books": 3}
OTHER_PROVIDER_PRIORITY = 4
AMAZON_PRIORITY = 5
LICENSED_PRIORITY = -1
#: Larger first among refs of one priority when the provider gives no dimensions.
SIZE_LABEL_RANK = {
    "extralarge": 6,
    "l": 5,
    "large": 5,
    "medium": 4,
    "m": 4,
    "small": 3,
    "thumbnail": 2,
    "s": 1,
    "smallthumbnail": 1,
}


class RejectedCover(NamedTuple):
    ref: CoverRef
    reason: str  # a RejectionReason value
    message: str


@dataclass(slots=True)
class CoverChoice:
    image: VerifiedImage | None  # verified, not stored yet
    ref: CoverRef | None  # the candidate it came from
    rejections: list[RejectedCover] = field(default_factory=list)  # in the order tried

    @property
    def found(self) -> bool:
        return self.image is not None

    def rejections_seen(self) -> list[CoverRejection]:
        """The rejections, as a request's match details record them."""
        return [
            CoverRejection(
                provider=rejected.ref.provider,
                url=rejected.ref.url,
                reason=str(rejected.reason),
                message=rejected.message,
            )
            for rejected in self.rejections
        ]


def cover_ref_priority(ref: CoverRef) -> int:
    if placeholders.is_amazon_url(ref.url) or ref.provider == "amazon":
        return AMAZON_PRIORITY
    if ref.licence:
        return LICENSED_PRIORITY
    if ref.provider in BY_COVER_ID_PROVIDERS:
        return 0 if ref.cover_id else 1
    return PROVIDER_PRIORITY.get(ref.provider, OTHER_PROVIDER_PRIORITY)


def ordered_cover_refs(refs: Sequence[CoverRef]) -> list[CoverRef]:
    """By source priority, then larger first (area if known, else size label); stable."""

    def key(ref: CoverRef):
        area = (ref.width or 0) * (ref.height or 0)
        label_rank = SIZE_LABEL_RANK.get(ref.size_label.strip().lower(), 0)
        return (cover_ref_priority(ref), -area, -label_rank)

    return sorted(refs, key=key)


def choose_cover(
    refs: Sequence[CoverRef],
    *,
    deadline: float | None = None,
    unfit_shape: Callable[[int, int], str] | None = None,
) -> CoverChoice:
    """Fetch and verify candidates in order until one verifies; record why the others failed.

    Every download ends by `deadline` (time.monotonic(); by default one download's time from
    now); the candidates left when it passes are recorded as timeouts, not tried.
    `unfit_shape` (width, height -> what the image is instead, or ""): an author's photo is
    held to the portrait's shape (enrichment.author_photos.unfit_photo_shape).
    """
    deadline = time.monotonic() + download_seconds() if deadline is None else deadline
    rejections: list[RejectedCover] = []
    tried: set[str] = set()
    timed_out_hosts: set[str] = set()
    for ref in ordered_cover_refs(refs):
        url = hosts.upgrade_to_https(ref.url.strip())
        if url in tried:
            continue
        tried.add(url)
        host = urlsplit(url).netloc.lower()
        try:
            known_placeholder = placeholders.placeholder_url_reason(url)
            if known_placeholder:  # refused without fetching
                raise CoverRejected(RejectionReason.PLACEHOLDER, known_placeholder)
            if host in timed_out_hosts:
                raise CoverRejected(
                    RejectionReason.TIMEOUT, f"not tried: {host} timed out on an earlier candidate"
                )
            if time.monotonic() >= deadline:
                raise CoverRejected(
                    RejectionReason.TIMEOUT,
                    "not tried: the time for the downloads ran out",
                )
            body = fetch_cover_bytes(url, deadline=deadline)
            image = verify_cover(body, url=url, size_label=ref.size_label)
            if unfit_shape is not None and (shows := unfit_shape(image.width, image.height)):
                raise CoverRejected(
                    RejectionReason.NOT_A_PORTRAIT,
                    f"{image.width}x{image.height}: {shows}, not a portrait",
                )
        except CoverRejected as rejected:
            logger.debug("cover %s rejected: %s", url, rejected)
            if rejected.reason == RejectionReason.TIMEOUT:
                timed_out_hosts.add(host)
            rejections.append(RejectedCover(ref, rejected.reason, rejected.message))
            continue
        return CoverChoice(image=image, ref=ref, rejections=rejections)
    return CoverChoice(image=None, ref=None, rejections=rejections)
