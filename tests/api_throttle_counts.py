"""A fresh API throttle count for each test of the API (user ids are reused between tests)."""

from django.conf import settings
from django.core.cache import caches

from bookstore.api_throttle import SHARED_CACHE


def forget_api_throttle_counts() -> None:
    """The database's count goes with each test's rollback; a shared cache's (REDIS_URL set) is
    cleared."""
    if SHARED_CACHE in settings.CACHES:
        caches[SHARED_CACHE].clear()
