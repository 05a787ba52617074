"""What a WSGI server checks of an answer before sending it: the test client accepts what
`manage.py runserver` (wsgiref) refuses with a 500 after the view has done its work."""

import io
import sys
from wsgiref.handlers import SimpleHandler


def start_response_as_runserver(response) -> None:
    """Hand the response's status and headers to wsgiref's start_response, as runserver does:
    it raises AssertionError on a header value that is not exactly a str (PEP 3333)."""
    handler = SimpleHandler(io.BytesIO(), io.BytesIO(), sys.stderr, {})
    handler.start_response(
        f"{response.status_code} {response.reason_phrase}", list(response.items())
    )
