"""The JSON API's content negotiation. Its own module: DRF imports it while importing its views
(the DEFAULT_CONTENT_NEGOTIATION_CLASS setting), so it must not import them itself."""

from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's, with a `format` parameter the endpoint has no renderer for answered as the bad
    input it is (400 naming it and the formats it has), where DRF answered 404 "Not found." as
    if the address were wrong; and an empty Accept header read as none (any type), where DRF
    answered 406 to a preference never stated."""

    def get_accept_list(self, request):
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
