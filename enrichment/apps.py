from django.apps import AppConfig


class EnrichmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "enrichment"
    verbose_name = "Enrichment"

    def ready(self):
        from enrichment import checks  # noqa: F401 (registers the startup checks)
        from enrichment.covers import cleanup  # noqa: F401 (deletes covers nothing uses)
        from enrichment.heartbeats import heartbeat_start_if_qcluster

        heartbeat_start_if_qcluster()  # only in a `manage.py qcluster` process
