"""The JSON API's per-user throttle. Its own module: DRF imports it while importing its views
(the DEFAULT_THROTTLE_CLASSES setting), so it must not import them itself."""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import UserRateThrottle


class UserThrottle(UserRateThrottle):
    """API_THROTTLE_RATE per user, counted in the `api_throttle` cache (Redis when REDIS_URL is
    set, so that every web process shares the count). Beyond it: 429 with Retry-After."""

    cache = caches["api_throttle"]

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATE  # read when asked: a deployment or a test may change it
