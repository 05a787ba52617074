"""An in-memory stand-in for a provider client, for engine tests of the decision logic.

It implements the provider interface the engine calls (`lookup_isbns`, `search`,
`search_many`); it is not a recorded provider response. End-to-end tests use the real clients
over recorded bodies.
"""

from enrichment.candidates import Candidate, LookupResult, LookupStatus


class FakeProvider:
    supports_search = True

    def __init__(
        self, name="openlibrary", *, answers=None, status=None, batch_size=100, search_answers=None
    ):
        self.name = name
        self.answers = answers or {}  # isbn13 -> list[Candidate]
        self.status = status  # a LookupStatus to answer every lookup with (faults)
        self.batch_size = batch_size
        self.search_answers = search_answers or []
        self.lookup_calls: list[list[str]] = []
        self.search_calls: list[tuple[str, str]] = []

    def is_configured(self):
        return True

    def lookup_isbns(self, isbns):
        isbns = list(isbns)
        for start in range(0, len(isbns), self.batch_size):
            self.lookup_calls.append(isbns[start : start + self.batch_size])
        results = {}
        for isbn13 in isbns:
            if self.status:
                results[isbn13] = LookupResult(self.name, isbn13, self.status, error="boom")
            elif isbn13 in self.answers:
                results[isbn13] = LookupResult(
                    self.name, isbn13, LookupStatus.FOUND, candidates=self.answers[isbn13]
                )
            else:
                results[isbn13] = LookupResult(self.name, isbn13, LookupStatus.NOT_FOUND)
        return results

    def search(self, *, title, author):
        self.search_calls.append((title, author))
        if self.status:
            return LookupResult(self.name, title, self.status, error="boom")
        status = LookupStatus.FOUND if self.search_answers else LookupStatus.NOT_FOUND
        return LookupResult(self.name, title, status, candidates=list(self.search_answers))

    def search_many(self, queries):
        """Provider.search_many's default: `search` for each query, in order."""
        return [self.search(title=query.title, author=query.author) for query in queries]


def candidate(provider="openlibrary", **fields) -> Candidate:
    return Candidate(provider=provider, **fields)
