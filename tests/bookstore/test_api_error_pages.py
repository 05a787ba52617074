"""Errors no endpoint handles, with DEBUG off as in production: under /api/v1 the API's JSON
error (Django's HTML page was all an API client got for a bug's 500 or a Host the site does not
serve), elsewhere Django's own pages as before."""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from catalog.api import views as catalog_api_views

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


def client() -> APIClient:
    api = APIClient()
    api.raise_request_exception = False  # as a real server: the handler's page is the answer
    return api


def test_a_host_the_site_does_not_serve_is_the_apis_json_400(production):
    response = client().get("/api/v1/works/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "bad_request"
    assert "Host header" in response.json()["error"]["message"]


def test_a_bug_in_an_endpoint_is_the_apis_json_500_naming_the_request_id(production, monkeypatch):
    def fails(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(catalog_api_views.WorkList, "get_queryset", fails)
    api = client()
    api.force_authenticate(User.objects.create_superuser("root", password="pw"))

    response = api.get("/api/v1/works/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "server_error"
    assert "X-Request-ID" in response.json()["error"]["message"]
    assert response["X-Request-ID"]


def test_the_rest_of_the_site_keeps_djangos_pages(production):
    response = client().get("/admin/login/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
