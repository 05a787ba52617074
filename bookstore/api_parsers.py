"""The JSON API's body parser. Its own module: DRF imports it while importing its views (the
DEFAULT_PARSER_CLASSES setting), so it must not import them itself."""

from django.utils.translation import gettext
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's, with a body nested too deeply for Python's parser (`[[[[…`: a few kilobytes)
    answered as the parse error it is, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                gettext("JSON parse error - the body is nested too deeply.")
            ) from None
