"""The SourceRecord cache of provider answers: what is kept, for how long, and how big.

A provider client asks `read` before sending a request and hands its answers to `write`. Hits
and misses are both cached, each with its own lifetime; payloads are stored bounded (see
`bounded_payload`) so that one provider's huge answer cannot bloat the table.
"""

import hashlib
import json
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from catalog.importers.fitting import column_width
from enrichment.candidates import LookupResult, LookupStatus
from enrichment.models import SourceRecord
from enrichment.providers import fields

logger = logging.getLogger(__name__)

# A cached payload keeps at most this much of each string, list and nesting (see bounded_payload):
# longer than any field keeps, so a cut field reads the same from the cache as fresh.
CACHED_TEXT_MAX_CHARS = 2 * fields.LONGEST_TEXT_CHARS
CACHED_ITEMS_MAX = 1000
CACHED_DEPTH_MAX = 32
#: A payload still larger than this once bounded is used but not cached.
CACHED_PAYLOAD_MAX_BYTES = 256 * 1024


def bounded_payload(value: Any, depth: int = 0) -> Any:
    """A copy of a JSON payload fit for the cache: strings, lists and objects cut to a bounded
    size (CACHED_*), text made storable (no NUL, which PostgreSQL's jsonb refuses)."""
    if isinstance(value, str):
        return fields.storable(value[:CACHED_TEXT_MAX_CHARS])
    if depth >= CACHED_DEPTH_MAX:
        return None
    if isinstance(value, list):
        return [bounded_payload(item, depth + 1) for item in value[:CACHED_ITEMS_MAX]]
    if isinstance(value, dict):
        items = list(value.items())[:CACHED_ITEMS_MAX]
        return {bounded_payload(str(key)): bounded_payload(item, depth + 1) for key, item in items}
    return value


LOOKUP_KEY_MAX_CHARS = column_width(SourceRecord, "lookup_key")


def fit_key(key: str) -> str:
    """A lookup key that fits the cache's column: a longer one keeps its start and gains the
    hash of the whole, so two long keys never share a record."""
    if len(key) > LOOKUP_KEY_MAX_CHARS:
        key = f"{key[:200]}#{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def cache_key(key: str) -> str:
    """ISBN results are keyed by the bare ISBN-13; every other key is already prefixed."""
    return key if ":" in key else f"isbn:{key}"


def read(*, provider: str, keys: list[str], now: datetime) -> dict[str, SourceRecord]:
    """The provider's unexpired records for these lookup keys, by key."""
    if not keys:
        return {}
    records = SourceRecord.objects.filter(
        provider=provider, lookup_key__in=keys, expires_at__gt=now
    )
    return {record.lookup_key: record for record in records}


def write(
    *, provider: str, entries: Iterable[tuple[LookupResult[Any], Any]], now: datetime
) -> None:
    """Store answers (hits and misses, each with its own lifetime) with their payloads."""
    hit_life = timedelta(days=settings.ENRICHMENT_CACHE_HIT_DAYS)
    miss_life = timedelta(days=settings.ENRICHMENT_CACHE_MISS_DAYS)
    records = []
    for result, payload in entries:
        if result.status not in (LookupStatus.FOUND, LookupStatus.NOT_FOUND):
            continue  # an unreadable record is asked again next time
        payload = bounded_payload(payload)
        size = len(json.dumps(payload, ensure_ascii=False).encode())
        if size > CACHED_PAYLOAD_MAX_BYTES:
            logger.warning("%s: %s not cached: %s bytes", provider, result.key, size)
            continue
        hit = result.status == LookupStatus.FOUND
        records.append(
            SourceRecord(
                provider=provider,
                lookup_key=cache_key(result.key),
                status=SourceRecord.Status.HIT if hit else SourceRecord.Status.MISS,
                payload=payload,
                fetched_at=now,
                expires_at=now + (hit_life if hit else miss_life),
            )
        )
    if not records:
        return
    # Its own savepoint: a row the database refuses must not break a caller's transaction.
    with transaction.atomic():
        SourceRecord.objects.bulk_create(
            records,
            update_conflicts=True,
            unique_fields=["provider", "lookup_key"],
            update_fields=["status", "payload", "fetched_at", "expires_at"],
        )
