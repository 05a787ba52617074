"""The JSON API's body parsers (JSON, and an upload's form), and the check that a body arrived
whole. Its own module: DRF imports it while importing its views (the
DEFAULT_PARSER_CLASSES setting), so it must not import them itself."""

import re
from typing import Any, cast

from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers
from rest_framework.utils import json


class IncompleteBody(exceptions.ParseError):
    """400: the body ended before it was whole (its sender stopped or was cut off). Read as it
    came, a cut upload lost its file ("No file was submitted.") and a cut JSON body was "JSON
    parse error - Unterminated string…": neither said what happened."""

    default_code = "incomplete_body"
    default_detail = _("The request body is incomplete: send the request again.")


def _short_by_length(received: int, length: int) -> IncompleteBody:
    return IncompleteBody(
        gettext(
            "The request body is incomplete: %(received)s of the %(length)s bytes its "
            "Content-Length announced arrived: its sender stopped, or the connection was cut. "
            "Send it again."
        )
        % {"received": received, "length": length}
    )


class WholeBody:
    """A request body read through: IncompleteBody when it ends before the `length` bytes its
    Content-Length announced, or the connection breaks (a WSGI server's OSError, Django's
    UnreadablePostError, was a 500)."""

    def __init__(self, stream, length: int) -> None:
        self.stream = stream
        self.length = length
        self.received = 0
        self.head = b""  # its first bytes, for what a form's body must begin with

    #: How many of its first bytes a body keeps: more than "--" and the longest boundary Django
    #: takes (RFC 2046 says 70; Django, 201).
    HEAD_BYTES = 256

    def read(self, size: int | None = -1) -> bytes:
        try:
            data = self.stream.read() if size is None or size < 0 else self.stream.read(size)
        except OSError:
            raise _short_by_length(self.received, self.length) from None
        self.received += len(data)
        if len(self.head) < self.HEAD_BYTES:
            self.head += data[: self.HEAD_BYTES - len(self.head)]
        if (size is None or size < 0 or not data) and self.received < self.length:
            raise _short_by_length(self.received, self.length)
        return data


def content_length(meta) -> int:
    """The Content-Length a request announced; 0 without a valid one."""
    try:
        return max(int(meta.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class RefuseIncompleteMultipart(FileUploadHandler):
    """First among an upload's handlers, whoever parses the form (DRF's parser, or Django's for
    a session's CSRF check): the body is read through WholeBody, and a part the body ends in
    before its closing boundary is IncompleteBody, where Django dropped the cut file silently."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.parsing = False
        self.interrupted = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if self.parsing:  # the parse below: read as usual
            return None
        self.parsing = True
        handlers = getattr(self.request, "upload_handlers", [])
        others = [handler for handler in handlers if handler is not self]
        body = WholeBody(input_data, content_length)
        parser = DjangoMultiPartParser(META, cast(Any, body), [self, *others], encoding)
        post, files = parser.parse()
        if body.received and not body.head.startswith(b"--" + boundary):
            # The form was written with another boundary than its Content-Type names. Django
            # takes the first line for one whatever it is, and read the first part as running
            # to the end of the body: "incomplete, send it again" (failing the same way), or
            # "No file was submitted".
            _close(files)
            raise exceptions.ParseError(
                gettext(
                    "The multipart body does not begin with the boundary its Content-Type names "
                    '("%(boundary)s"): send the boundary the body was written with.'
                )
                % {"boundary": boundary.decode("ascii", "replace")}
            )
        if self.interrupted:
            _close(files)
            raise IncompleteBody(
                gettext(
                    "The request body is incomplete: it ends inside a part, before the "
                    "multipart body's closing boundary. Send it again whole."
                )
            )
        return post, files

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file

    def upload_interrupted(self) -> None:
        self.interrupted = True


class MultiPartParser(parsers.MultiPartParser):
    """DRF's, saying what is wrong with a form whose Content-Type names no boundary, or one
    Django cannot use: it answered in Django's words, "Multipart form parse error - Invalid
    boundary in multipart: None". A Content-Type set by hand to `multipart/form-data` (which
    drops the boundary an HTTP library writes beside it) is the usual cause."""

    def parse(self, stream, media_type=None, parser_context=None):
        _type, parameters = parse_header_parameters(media_type or "")
        boundary = parameters.get("boundary", "")
        if not DjangoMultiPartParser.boundary_re.fullmatch(boundary):
            if boundary:
                message = gettext(
                    "The Content-Type's boundary %(boundary)r is not one a multipart body can "
                    "use: printable ASCII characters, not ending in a space."
                ) % {"boundary": boundary[:80]}
            else:
                message = gettext(
                    'The Content-Type "%(type)s" names no boundary: send "multipart/form-data; '
                    "boundary=…\" with the boundary that separates the body's parts (as an HTTP "
                    "library writes it when it encodes the form; a Content-Type set by hand "
                    "drops it)."
                ) % {"type": (media_type or "")[:100]}
            raise exceptions.ParseError(message)
        return super().parse(stream, media_type, parser_context)


def _close(files) -> None:
    for _name, uploaded in files.lists():
        for file in uploaded:
            file.close()


def _object_without_repeated_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object, refused when it gives a key twice: only the last value would be read
    (`{"fields": ["cover"], "fields": ["title"]}` approving the title alone)."""
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(gettext("the key %(key)r is given twice") % {"key": key[:64]})
        seen[key] = value
    return seen


#: A `\uD800`-`\uDFFF` escape: half of a UTF-16 pair, which JSON text may leave alone.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _refuse_lone_surrogates(text: str, parsed: object) -> None:
    """A ParseError for a body whose escapes leave half a UTF-16 pair alone (`"\ud800"`): it is no
    character, so no text can hold it (PostgreSQL refuses it, UTF-8 cannot encode it); a key
    that held one was a 500 when the error naming it was written. A whole pair is its
    character."""
    if not _SURROGATE_ESCAPE.search(text):
        return  # the usual body: no escape of a surrogate, so none was read
    try:
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise exceptions.ParseError(
            gettext(
                "JSON parse error - the body holds %(escape)s, half of a UTF-16 surrogate pair "
                "alone, which is no character: send the character itself, or both halves."
            )
            % {"escape": f"\\u{ord(error.object[error.start]):04x}"}
        ) from None


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
    """DRF's, reading strictly: a body shorter than its Content-Length is IncompleteBody; an
    object giving a key twice is a parse error, and so is a body nested too deeply for Python's
    parser (`[[[[…`: a few kilobytes), which was a 500, or a number too long for it to read.
    The body is UTF-8, as RFC 8259 says JSON is, whatever charset the Content-Type names (it
    "has no effect on compliant recipients"), a leading byte order mark ignored (as it
    allows): DRF decoded by the charset named, and a client labelling its UTF-8
    `charset=ISO-8859-1` had "Café" stored as "CafÃ©"."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        if request is not None:
            stream = WholeBody(stream, content_length(request.META))
        try:
            text = stream.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise exceptions.ParseError(
                gettext("JSON parse error - the body is not UTF-8, the one encoding of JSON.")
            ) from None
        try:
            parsed = json.loads(
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
        _refuse_lone_surrogates(text, parsed)
        return parsed
