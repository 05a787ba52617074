"""If-Match on the API's state-changing requests (RFC 9110 §13.1.1): a decision taken on what
a client read is refused with a 412, nothing done, once what it read has changed. Ignored, a
client that sent one to guard against another reviewer's decision or edit made meanwhile
changed the catalog anyway. An endpoint with no ETag to match (it acts on no object a client
reads) fails any If-Match, as the RFC says of a target without a current representation. And
If-None-Match on a read of an object with an ETag (§13.1.2): 304 while it is unchanged."""

from django.utils.http import parse_etags, quote_etag
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.request import Request


class PreconditionFailed(exceptions.APIException):
    """412: the request's If-Match names no ETag the object has now; nothing was done."""

    status_code = 412
    default_code = "precondition_failed"
    default_detail = _("If-Match names no current ETag of this object: nothing was done.")


def refuse_unmet_if_match(request: Request, etag: str | None) -> None:
    """PreconditionFailed unless the request sends no If-Match, or one naming `etag` (a strong
    comparison: a weak `W/"…"` never matches) or `*` while there is an ETag; `etag` None: the
    endpoint has none."""
    header = request.META.get("HTTP_IF_MATCH")
    if header is None:
        return
    if etag is None:
        raise PreconditionFailed(
            gettext(
                "This endpoint acts on no object with an ETag, so If-Match cannot hold: send "
                "the request without it."
            )
        )
    given = parse_etags(header)
    if "*" in given or quote_etag(etag) in given:
        return
    raise PreconditionFailed(
        gettext(
            "It changed since its ETag %(given)s was read (it is now %(current)s): nothing was "
            "done. Read it again, and decide on what it holds now."
        )
        % {"given": header.strip()[:100], "current": quote_etag(etag)}
    )


def unchanged_for(request: Request, etag: str) -> bool:
    """Whether the request's If-None-Match names `etag` (a weak comparison: `W/"…"` as
    `"…"`) or is `*`: a read of it may then be answered 304, no body."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if header is None:
        return False
    given = [tag.removeprefix("W/") for tag in parse_etags(header)]
    return "*" in given or quote_etag(etag) in given


class HasNoEtag:
    # For a state-changing view that acts on no object a client reads (trigger, an upload): an
    # If-Match is a 412 after authentication, never ignored. No docstring: the schema would
    # describe each view by it.

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        refuse_unmet_if_match(request, None)
