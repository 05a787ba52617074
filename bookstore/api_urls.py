"""/api/v1/: the JSON API. Each app's endpoints live in its own `api` package; the OpenAPI 3
schema and a page rendered from it (Swagger UI from static files: no CDN) are here."""

from django.urls import include, path, re_path

from bookstore.api import ApiNotFound, DocsView, SchemaView

app_name = "api"

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("enrichment/", include("enrichment.api.urls")),
    path("", include("catalog.api.urls")),
    re_path(r"^.*$", ApiNotFound.as_view()),  # last: a JSON 404 rather than the site's HTML one
]
