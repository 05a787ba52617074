"""The site's last-resort error pages (urls.py's handler400 and handler500), as the API's JSON
error for a request under /api/v1. An error no endpoint handles (a bug's 500, a Host the site
does not serve, a request Django refuses before any view) was Django's HTML page, which an API
client cannot read as an error; the rest of the site keeps Django's pages."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views import defaults

#: Where the API lives (urls.py mounts it here).
API_ROOT = "api/v1"


def is_api_request(request: HttpRequest) -> bool:
    path = request.path_info
    return path == f"/{API_ROOT}" or path.startswith(f"/{API_ROOT}/")


def _error(code: str, message: str, status: int) -> JsonResponse:
    # Written as the API's renderer writes its errors: compact, UTF-8.
    dumps = {"ensure_ascii": False, "separators": (",", ":")}
    body = {"error": {"code": code, "message": message}}
    return JsonResponse(body, status=status, json_dumps_params=dumps)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.bad_request(request, exception)
    # What Django refused stays in the server's log (django.security), as for its own page.
    return _error(
        "bad_request",
        gettext(
            "The request was refused before any endpoint read it: a Host header this site does "
            "not serve, or a header or body it cannot read."
        ),
        400,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if not is_api_request(request):
        return defaults.server_error(request)
    return _error(
        "server_error",
        gettext(
            "The server failed to answer (its error is in the server's log, under this "
            "answer's X-Request-ID): nothing may have been done; try again, or report it."
        ),
        500,
    )
