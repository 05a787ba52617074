"""Site-wide views that belong to no app."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from bookstore.health import health_report


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and orchestrators: 200 when the database, the broker and the storage
    answer, else 503; no login (it says nothing but which checks pass)."""
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
