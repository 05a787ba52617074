from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView

from bookstore.api import ApiNotFound
from bookstore.api_errors import API_ROOT
from bookstore.views import healthz


class FaviconView(RedirectView):
    """Browsers ask every site for /favicon.ico, whatever its pages link: answer with ours (its
    URL looked up when asked, so the static files' storage decides it; not permanent, so that a
    new URL is followed)."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static_url("bookstore/favicon.ico")


urlpatterns = [
    path("admin/", admin.site.urls),
    path(f"{API_ROOT}/", include("bookstore.api_urls")),
    # The API's root without its slash: its JSON 404, as with it. Left to APPEND_SLASH it was a
    # 301 a POST follows as a GET, and under DEBUG a POST's RuntimeError (an HTML 500).
    path(API_ROOT, ApiNotFound.as_view()),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]

# Django's error pages, as the API's JSON errors under /api/v1 (bookstore/api_errors.py).
handler400 = "bookstore.api_errors.bad_request"
handler500 = "bookstore.api_errors.server_error"

if settings.DEBUG and settings.STORAGE_BACKEND == "filesystem":
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
