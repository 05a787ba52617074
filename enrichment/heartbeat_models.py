"""The record each django-q2 cluster process keeps of itself in the database (imported by
enrichment.models), so that the dashboard sees every cluster on every machine.

django-q2's own `Stat` lives in the broker or the cache and vanishes 3 s after its cluster dies
(with the default local-memory cache it is not even shared between processes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClusterHeartbeat(models.Model):
    """One `manage.py qcluster` process: written by a thread of that process every
    CLUSTER_HEARTBEAT_SECONDS (enrichment.heartbeats), marked stopped when its cluster stops."""

    class Broker(models.TextChoices):
        ORM = "orm", _("Database (ORM)")
        REDIS = "redis", _("Redis")

    name = models.CharField(max_length=100, help_text=_("The cluster's name (its queue)."))
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField(help_text=_("The qcluster process's id on its host."))
    broker = models.CharField(max_length=8, choices=Broker.choices)
    workers = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(help_text=_("When the process first beat."))
    beat_at = models.DateTimeField(db_index=True, help_text=_("Its last heartbeat."))
    stopped_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When its cluster stopped cleanly (none: running).")
    )

    class Meta:
        verbose_name = _("cluster heartbeat")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "host", "pid"], name="clusterheartbeat_one_per_process"
            )
        ]

    def __str__(self):
        return f"{self.name} on {self.host} (pid {self.pid})"
