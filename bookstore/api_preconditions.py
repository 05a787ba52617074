"""If-Match on the API's state-changing requests (RFC 9110 §13.1.1): a decision taken on what
a client read is refused with a 412, nothing done, once what it read has changed. Ignored, a
client that sent one to guard against another reviewer's decision or edit made meanwhile
changed the catalog anyway. An endpoint with no ETag to match (it acts on no object a client
reads) fails any If-Match, as the RFC says of a target without a current representation. And
If-None-Match on a read (§13.1.2): 304 while it is unchanged; every read has an ETag, a list's
page or a job's progress the digest of the JSON it answers (EtagOfAnswer)."""

import hashlib

from django.utils.http import parse_etags, quote_etag
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response


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


def refuse_met_if_none_match(request: Request, etag: str) -> None:
    """PreconditionFailed when a state-changing request's If-None-Match names `etag` (a weak
    comparison) or is `*`: the object exists as the client said it must not (RFC 9110
    §13.1.2); the action was taken anyway."""
    if unchanged_for(request, etag):
        raise PreconditionFailed(
            gettext(
                "If-None-Match names its current ETag %(current)s (or is *), so the request "
                "holds only while it does not exist as it is: nothing was done."
            )
            % {"current": quote_etag(etag)}
        )


class HasNoEtag:
    # For a state-changing view that acts on no object a client reads (trigger, an upload): an
    # If-Match is a 412 after authentication, never ignored. No docstring: the schema would
    # describe each view by it.

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        refuse_unmet_if_match(request, None)


def answer_etag(content: bytes) -> str:
    """The ETag of a read whose answer is all a client compares (a list's page, a job's
    progress): a digest of the JSON bytes it sends."""
    return hashlib.sha256(content).hexdigest()[:16]


class EtagOfAnswer:
    # For a read with no ETag of its own (a list's page, works' states, a job's progress): its
    # answer's (answer_etag), with If-Match and If-None-Match read as RFC 9110 says: an If-Match
    # it does not hold is a 412, an If-None-Match naming it (or `*`) a 304 with no body. Both
    # were ignored: a client polling a job with its ETag read the whole answer each time, and
    # one that sent If-Match was answered as if it held. The answer is rendered once, its bytes
    # digested: the digest of a second rendering cost about 3 % of a 200-work page. No
    # docstring: the schema would describe each view by it.

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == status.HTTP_200_OK
            and not getattr(response, "exception", False)
            and not response.has_header("ETag")
        ):
            response = self._answer_with_etag(request, response, *args, **kwargs)
        return response

    def _answer_with_etag(self, request, response, *args, **kwargs):
        response.render()  # what is sent: rendered here once, never again
        etag = answer_etag(response.content)
        try:
            refuse_unmet_if_match(request, etag)
        except PreconditionFailed as failed:
            refused = self.handle_exception(failed)  # type: ignore[attr-defined]
            return super().finalize_response(request, refused, *args, **kwargs)  # type: ignore[misc]
        headers = {"ETag": quote_etag(etag)}
        if unchanged_for(request, etag):
            not_modified = Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
            return super().finalize_response(request, not_modified, *args, **kwargs)  # type: ignore[misc]
        response["ETag"] = headers["ETag"]
        return response
