"""The links the JSON API gives: a list's `next` and `previous` pages, an object's `url` (and the
`Location` header naming it), one rule for all of them, `api_link`; and an image's, absolute
wherever it is given (`ImageUrlField`)."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from bookstore.api_ids import is_blank


def api_link(url: str) -> str:
    """`url` as a link the API gives: the query the client asked with (a list's filters and
    `limit`), but no `format` (every endpoint that gives links answers JSON alone, so it says
    nothing; a client following a link sends its own Accept) nor a parameter given blank (read
    as absent). DRF's links repeated both, `?format=json` on every object's `url`."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name != api_settings.URL_FORMAT_OVERRIDE and not is_blank(value)
    ]
    return urlunsplit(parts._replace(query=urlencode(kept)))


class LinkField(serializers.HyperlinkedIdentityField):
    """An object's own link (DRF's), by `api_link`'s rule."""

    def get_url(self, obj, view_name, request, format):
        url = super().get_url(obj, view_name, request, format)
        return url if url is None else api_link(url)


@extend_schema_field(OpenApiTypes.URI)
class ImageUrlField(serializers.Field):
    """An image file as an absolute URL (None without one): the works list's covers, a request's
    current cover or photo."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value) -> str | None:
        if not value:  # an empty image field
            return None
        return self.context["request"].build_absolute_uri(value.url)
