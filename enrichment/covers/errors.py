"""Why a cover candidate was refused: one exception type with a machine-readable reason."""

from enum import StrEnum

from enrichment.faults import NOT_REACHED_KINDS, classify_fault


class RejectionReason(StrEnum):
    # Fetching
    BAD_URL = "bad_url"  # not an http(s) URL with a host, or carries user:password
    NOT_HTTPS = "not_https"  # plain http to a host the operator did not configure
    HOST_NOT_ALLOWED = "host_not_allowed"  # host (or port) outside the cover allowlist
    PRIVATE_ADDRESS = "private_address"  # resolves to a private/loopback/link-local/... address
    DNS_ERROR = "dns_error"
    CONNECTION_ERROR = "connection_error"
    TIMEOUT = "timeout"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    NOT_FOUND = "not_found"  # 404/410: the provider has no cover there
    HTTP_STATUS = "http_status"  # any other non-200 answer
    TOO_LARGE = "too_large"  # over COVER_MAX_BYTES (declared or streamed)
    EMPTY = "empty"  # a 200 with no body
    # Verifying (not_an_image and format_not_allowed also come from a telling Content-Type)
    NOT_AN_IMAGE = "not_an_image"
    FORMAT_NOT_ALLOWED = "format_not_allowed"  # an image, but not JPEG/PNG/WebP/GIF (SVG, ...)
    DECOMPRESSION_BOMB = "decompression_bomb"  # more pixels than COVER_MAX_PIXELS
    TRUNCATED = "truncated"
    CORRUPT = "corrupt"  # Pillow could not verify or decode it
    TOO_MANY_FRAMES = "too_many_frames"  # an animation of thousands of frames: a cover is still
    TOO_SMALL = "too_small"  # a side under COVER_MIN_SIDE (COVER_MIN_SIDE_LARGE for "L")
    PLACEHOLDER = "placeholder"  # a known "no cover" image or URL
    UNIFORM = "uniform"  # a near-uniform single colour
    NOT_A_PORTRAIT = "not_a_portrait"  # an author's photo shaped as no portrait is (a banner)


#: Faults after which asking again later may work (the others are the answer for that URL).
RETRYABLE_REASONS = frozenset(
    {RejectionReason.DNS_ERROR, RejectionReason.CONNECTION_ERROR, RejectionReason.TIMEOUT}
)


def reached_no_host(reason: str, message: str) -> bool:
    """A download that reached no host (offline: its name did not resolve, the connection was
    refused), by the one classification of faults (faults.NOT_REACHED_KINDS, of those that pass
    on their own): it says nothing of the image. A failed secure connection reached a host,
    whose certificate or TLS will not mend by waiting: it counts as a claim."""
    if reason == RejectionReason.DNS_ERROR:
        return True
    if reason != RejectionReason.CONNECTION_ERROR:
        return False
    fault = classify_fault(error=message)
    return fault.kind in NOT_REACHED_KINDS and fault.passes_on_its_own


class CoverRejected(Exception):
    """A cover URL or image that must not become a cover, and why.

    `reason` is a `RejectionReason` (a str) for match details and metrics; `message` is for people.
    """

    def __init__(self, reason: RejectionReason | str, message: str = "", *, retryable=None):
        self.reason = RejectionReason(reason)
        self.message = message or self.reason.value.replace("_", " ")
        self.retryable = self.reason in RETRYABLE_REASONS if retryable is None else retryable
        super().__init__(f"{self.reason}: {self.message}")
