"""The JSON API's endpoints of this app (mounted under /api/v1/ by bookstore/api_urls.py)."""

from django.urls import path

from catalog.api import views

urlpatterns = [
    path("imports/", views.ImportCreate.as_view(), name="import-create"),
    path("imports/<int:job_id>", views.ImportDetail.as_view(), name="import-detail"),
    path("imports/<int:job_id>/rows", views.ImportRowList.as_view(), name="import-rows"),
    path("works/", views.WorkList.as_view(), name="work-list"),
]
