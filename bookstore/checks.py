"""Startup checks for settings whose mistakes would only show up under load."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def q_cluster_retry_exceeds_timeout(app_configs, **kwargs):
    cluster = settings.Q_CLUSTER
    timeout, retry = cluster.get("timeout"), cluster.get("retry")
    if timeout is not None and retry is not None and retry <= timeout:
        return [
            Error(
                f"Q_CLUSTER retry ({retry}s) must be greater than timeout ({timeout}s).",
                hint="Otherwise the broker hands a slow task to a second worker while the first "
                "is still running it. Raise Q_RETRY or lower Q_TIMEOUT.",
                id="bookstore.E001",
            )
        ]
    return []
