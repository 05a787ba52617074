"""The JSON API's content negotiation. Its own module: DRF imports it while importing its views
(the DEFAULT_CONTENT_NEGOTIATION_CLASS setting), so it must not import them itself."""

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.utils.mediatypes import _MediaType

#: The one content coding a request body may have: none.
ACCEPTED_CODINGS = "identity"


class UnsupportedContentEncoding(exceptions.UnsupportedMediaType):
    """415: a body sent compressed (`Content-Encoding: gzip`), which no endpoint reads; answered
    with `Accept-Encoding: identity` (RFC 9110 §15.5.16), so that a client tells it from a body
    type the endpoint does not read."""

    def __init__(self, coding: str) -> None:
        super().__init__(
            coding,
            detail=gettext(
                'This endpoint does not read a body with Content-Encoding "%(coding)s": send it '
                "uncompressed."
            )
            % {"coding": coding[:40]},
        )


class LengthRequired(exceptions.APIException):
    """411: a body sent without a Content-Length (`Transfer-Encoding: chunked`). Django reads a
    request's body only as far as its Content-Length, so such a body was read as none: a
    trigger's ids were "required", an upload's file "not submitted", and a dismissal done with
    its reason dropped. RFC 9110 §15.5.12: the client may send it again with the length."""

    status_code = 411
    default_code = "length_required"
    default_detail = _(
        "This API reads a body only with its Content-Length: send it again with one, not "
        "Transfer-Encoding: chunked."
    )


def sent_without_length(request) -> bool:
    """A body announced by Transfer-Encoding (chunked), whose length is not given."""
    meta = request.META
    return bool(meta.get("HTTP_TRANSFER_ENCODING", "").strip()) and not meta.get("CONTENT_LENGTH")


#: RFC 9110 §12.4.2's qvalue, its decimals not counted: 0 to 1.
_QUALITY = re.compile(r"0(?:\.[0-9]*)?|1(?:\.0*)?")


def refuses(media_type: _MediaType) -> bool:
    """An Accept header's type of quality 0 ("application/json;q=0"): RFC 9110 §12.4.2 reads it
    as "not acceptable", never as the least wanted. A quality that is no number from 0 to 1 is
    a 400 naming it: ignored, `q=abc` (or `q=nan`, `q=-1`) was read as "any quality" and the
    answer came in a type the client may have meant to refuse."""
    quality = media_type.params.get("q", "1").strip()
    if not _QUALITY.fullmatch(quality):
        raise exceptions.ValidationError(
            {
                "Accept": gettext(
                    "%(type)s is given the quality %(quality)r: a quality is a number from 0 "
                    "to 1, such as q=0.5."
                )
                % {"type": str(media_type).split(";")[0].strip()[:100], "quality": quality[:40]}
            }
        )
    return float(quality) <= 0


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's, with a `format` parameter the endpoint has no renderer for answered as the bad
    input it is (400 naming it and the formats it has), where DRF answered 404 "Not found." as
    if the address were wrong; an empty Accept header read as none (any type), where DRF
    answered 406 to a preference never stated; a type the header gives quality 0 refused
    (406 where nothing acceptable remains), where DRF ignored the quality and answered in it;
    a compressed body refused as such (415), and a body of no stated length (411)."""

    def select_parser(self, request, parsers):
        """DRF's, for a body not compressed: it read a gzip body as if it were JSON (a parse
        error on the compressed bytes, or a multipart form of nothing)."""
        coding = request.headers.get("content-encoding", "").strip()
        if coding and coding.lower() != ACCEPTED_CODINGS:
            raise UnsupportedContentEncoding(coding)
        return super().select_parser(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        # Every request of every endpoint is negotiated first: where a body that cannot be read
        # is refused before anything is done with the request.
        if sent_without_length(request):
            raise LengthRequired()
        format = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if format:  # first: a format this does not answer in is a 400, refused or not
            renderers = self.filter_renderers(renderers, format)
        stated = [_MediaType(token) for token in self._stated_accept_list(request)]
        acceptable = [renderer for renderer in renderers if not _refused(renderer, stated)]
        if not acceptable:
            raise exceptions.NotAcceptable(available_renderers=renderers)
        return super().select_renderer(request, acceptable, format_suffix)

    def get_accept_list(self, request):
        """The types the client accepts: those it refuses (quality 0) left out."""
        return [
            token for token in self._stated_accept_list(request) if not refuses(_MediaType(token))
        ]

    def _stated_accept_list(self, request) -> list[str]:
        if not request.headers.get("accept", "").strip():
            return ["*/*"]
        return super().get_accept_list(request)

    def filter_renderers(self, renderers, format):
        found = [renderer for renderer in renderers if renderer.format == format]
        if not found:
            name = self.settings.URL_FORMAT_OVERRIDE or "format"
            formats = ", ".join(dict.fromkeys(renderer.format for renderer in renderers))
            raise exceptions.ValidationError(
                {
                    name: gettext("%(value)r is not a format this answers in: %(formats)s.")
                    % {"value": format[:40], "formats": formats}
                }
            )
        return found


def _refused(renderer, stated: list[_MediaType]) -> bool:
    """Whether the most specific of the stated types matching the renderer's refuses it
    (`application/json;q=0, */*`: anything but JSON; ties: a refusal wins)."""
    own = _MediaType(renderer.media_type)
    matching = [media_type for media_type in stated if own.match(media_type)]
    if not matching:
        return False
    closest = max(media_type.precedence for media_type in matching)
    return any(refuses(m) for m in matching if m.precedence == closest)
