"""Each request's id: read from a proxy's `X-Request-ID` when it is short and safe, else a new
one; returned in the response's header and bound to the log context, so that every log line
written while the request is handled names it (`bookstore.log_context`)."""

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.log import log_response

from bookstore import log_context

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept only when it cannot forge or break a log line: no spaces, quotes,
# control characters or megabytes.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_from(incoming: str | None) -> str:
    if incoming and _SAFE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        with log_context.bind(request_id=request_id):
            response = self.get_response(request)
            if response.status_code >= 400:
                # Django logs an error response after the middleware has returned, outside the
                # request's context; logged here (once: Django skips a logged one) it has the id.
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    request.path,
                    response=response,
                    request=request,
                )
        response[REQUEST_ID_HEADER] = request_id
        return response
