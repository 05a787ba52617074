"""The JSON API's body parser. Its own module: DRF imports it while importing its views (the
DEFAULT_PARSER_CLASSES setting), so it must not import them itself."""

from django.utils.translation import gettext
from rest_framework import exceptions, parsers
from rest_framework.utils import json


def _object_without_repeated_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object, refused when it gives a key twice: only the last value would be read
    (`{"fields": ["title"], "fields": null}` approving the safe proposal)."""
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(gettext("the key %(key)r is given twice") % {"key": key[:64]})
        seen[key] = value
    return seen


def _integer(text: str) -> int:
    """A JSON integer. One longer than Python reads (4,300 digits) is refused in the API's terms:
    Python's own error told the client to "use sys.set_int_max_str_digits()", a server's
    setting no client can change."""
    try:
        return int(text)
    except ValueError:
        raise ValueError(
            gettext("a number of %(digits)s digits, more than any value this API takes")
            % {"digits": len(text.lstrip("-"))}
        ) from None


class JSONParser(parsers.JSONParser):
    """DRF's, reading strictly: an object giving a key twice is a parse error, and so is a body
    nested too deeply for Python's parser (`[[[[…`: a few kilobytes), which was a 500, or a
    number too long for it to read. The body is UTF-8, as RFC 8259 says JSON is, whatever
    charset the Content-Type names (it "has no effect on compliant recipients"), a leading
    byte order mark ignored (as it allows): DRF decoded by the charset named, and a client
    labelling its UTF-8 `charset=ISO-8859-1` had "Café" stored as "CafÃ©"."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            text = stream.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise exceptions.ParseError(
                gettext("JSON parse error - the body is not UTF-8, the one encoding of JSON.")
            ) from None
        try:
            return json.loads(
                text,
                parse_constant=json.strict_constant if self.strict else None,
                object_pairs_hook=_object_without_repeated_keys,
                parse_int=_integer,
            )
        except ValueError as exc:
            raise exceptions.ParseError(
                gettext("JSON parse error - %(error)s") % {"error": exc}
            ) from None
        except RecursionError:
            raise exceptions.ParseError(
                gettext("JSON parse error - the body is nested too deeply.")
            ) from None
