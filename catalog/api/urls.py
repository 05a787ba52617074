"""The JSON API's endpoints of this app (mounted under /api/v1/ by bookstore/api_urls.py)."""

from django.urls import path

import bookstore.api_ids  # noqa: F401 (registers the <id:…> converter)
from catalog.api import views

urlpatterns = [
    path("imports/", views.ImportCreate.as_view(), name="import-create"),
    path("imports/<id:job_id>", views.ImportDetail.as_view(), name="import-detail"),
    path("imports/<id:job_id>/rows", views.ImportRowList.as_view(), name="import-rows"),
    path("works/", views.WorkList.as_view(), name="work-list"),
]
