"""The JSON API's endpoints of this app (mounted under /api/v1/ by bookstore/api_urls.py)."""

from django.urls import path

import bookstore.api_ids  # noqa: F401 (registers the <id:…> converter)
from enrichment.api import views

urlpatterns = [
    path("status", views.EnrichmentStatus.as_view(), name="enrichment-status"),
    path("queue", views.EnrichmentQueue.as_view(), name="enrichment-queue"),
    path("trigger", views.EnrichmentTrigger.as_view(), name="enrichment-trigger"),
    path("trigger-all", views.EnrichmentTriggerAll.as_view(), name="enrichment-trigger-all"),
    path("operations/<id:pk>", views.BulkOperationDetail.as_view(), name="enrichment-operation"),
    path("<id:pk>", views.EnrichmentRequestDetail.as_view(), name="enrichment-request"),
    path("<id:pk>/approve", views.EnrichmentRequestApprove.as_view(), name="enrichment-approve"),
    path("<id:pk>/dismiss", views.EnrichmentRequestDismiss.as_view(), name="enrichment-dismiss"),
]
