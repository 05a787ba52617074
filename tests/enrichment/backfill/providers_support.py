"""Google Books and Open Library on one local server (127.0.0.1, a free port), for the tests of
the backfill's ISBN resolution (test_resolve.py, test_synthetic.py): the real provider clients
search it by title and author.

Its answers are recorded bodies from tests/fixtures/providers (see their PROVENANCE.md): Google
Books' `volumes?q=children+of+time+2015` for a search naming Children of Time, its recorded
empty result for any other; Open Library's 2013 search for The Lord of the Rings by Tolkien for
a search naming it. Open Library's answer for any other title is its no-match body, built here
(`{"numFound": 0, "docs": []}`, as tests/enrichment/test_unreachable_providers.py does).
A provider can be made to answer an HTTP error instead (`failing`).
"""

import json
from http.server import BaseHTTPRequestHandler

from tests.enrichment.providers.helpers import body
from tests.enrichment.providers.local_server import LocalServer

CHILDREN_OF_TIME = "9780316452502"  # Google's recorded answer: Adrian Tchaikovsky, 2015
LORD_OF_THE_RINGS = "9780395193952"  # Open Library's recorded 2013 search: Tolkien
OPEN_LIBRARY_NO_MATCH = json.dumps({"numFound": 0, "docs": []}).encode()


class ProviderServer(LocalServer):
    def __init__(self):
        super().__init__()
        self.answer = self._route
        self.failing: dict[str, int] = {}  # provider name -> the HTTP status it answers

    def asked(self, provider: str) -> list[str]:
        prefix = {"google_books": "/books/v1/volumes", "openlibrary": "/search.json"}[provider]
        return [path for path in self.requests if path.startswith(prefix)]

    def _route(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.lower()
        if path.startswith("/books/v1/volumes"):
            provider = "google_books"
            data = body(
                "google_books",
                "volumes__q_children_of_time_2015.json"
                if "children" in path
                else "volumes__empty_result__totalItems_0.json",
            )
        elif path.startswith("/search.json"):
            provider = "openlibrary"
            data = (
                body("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json")
                if "lord" in path
                else OPEN_LIBRARY_NO_MATCH
            )
        else:
            provider, data = "", b"{}"
        status = self.failing.get(provider, 200)
        if status != 200:
            data = b"<html><body>Service Unavailable</body></html>"
        headers = {"Content-Length": str(len(data))}
        self.send(handler, [data], status=status, headers=headers)
