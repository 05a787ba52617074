"""Google Books v1: `volumes?q=isbn:` lookups and `intitle: inauthor:` searches. No batching.

`isbn:` is a relevance search, not a lookup: a volume counts for an ISBN only when its
`industryIdentifiers` carry that ISBN. A search without a match has no `items` key at all.
"""

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.utils.translation import gettext_lazy as _

from enrichment.candidates import Candidate, Contributor, CoverRef, LookupResult
from enrichment.covers.hosts import upgrade_to_https
from enrichment.providers import fields
from enrichment.providers.base import Provider, SettingNames, record_url

#: imageLinks keys, largest first (detail answers add small..extraLarge to the two thumbnails).
IMAGE_SIZES = ("extraLarge", "large", "medium", "small", "thumbnail", "smallThumbnail")
SEARCH_RESULTS = 10
_WORD = re.compile(r"\w+", re.UNICODE)


def clean_image_url(url: str) -> str:
    """Drop `edge=curl` (a drawn page curl) and use https, except on a host the operator
    configured (a plain-http mirror stays http)."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "edge"]
    cleaned = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
    return upgrade_to_https(cleaned)


class GoogleBooksProvider(Provider):
    name = "google_books"
    label = _("Google Books")
    setting_names = SettingNames(
        url="GOOGLE_BOOKS_URL",
        api_key="GOOGLE_BOOKS_API_KEY",
        rate="GOOGLE_BOOKS_RATE",
        daily_budget="GOOGLE_BOOKS_DAILY_BUDGET",
    )

    @classmethod
    def book_url(cls, ids: dict[str, str]) -> str:
        return record_url("https://books.google.com/books?id={}", ids, "google_books")

    def is_daily_quota_answer(self, status: int, body: str) -> bool:
        # Keyless calls share a pool that answers 429 "Queries per day"; a key's own daily limit
        # answers 403 dailyLimitExceeded. A per-minute limit is only "slow down".
        lowered = body.casefold()
        return "per day" in lowered or "dailylimitexceeded" in lowered

    def is_not_found_answer(self, body: Any) -> bool:
        # Google's own error envelope: {"error": {"code": 404, "message": "The volume ID could
        # not be found.", "errors": [{"reason": "notFound", ...}]}}.
        error = body.get("error") if isinstance(body, dict) else None
        return isinstance(error, dict) and error.get("code") == 404

    @property
    def _key_param(self) -> dict[str, str]:
        """The key goes in the query (`key=`); keyless calls share Google's anonymous pool."""
        return {"key": self.api_key} if self.api_key else {}

    def _volumes(self, query: str, **params) -> dict:
        params = {"q": query, **params, **self._key_param}
        body = self.get_json(f"{self.base_url}/volumes", params=params)
        fields.expect(body, dict, "volumes answer")
        fields.expect(body.get("items", []), list, "volumes items")
        return body

    def fetch_isbns(self, isbns: list[str]) -> dict[str, Any]:
        return {isbn13: self._volumes(f"isbn:{isbn13}") for isbn13 in isbns}

    def parse_isbn(self, isbn13: str, payload: Any) -> list[Candidate]:
        candidates = fields.readable_records(payload.get("items") or [], self.parse_volume)
        return [candidate for candidate in candidates if isbn13 in candidate.isbn13]

    def fetch_search(self, *, title: str, author: str) -> Any:
        # One intitle:/inauthor: per word, as calibre does: a quoted phrase misses on punctuation.
        words = [f"intitle:{word}" for word in _WORD.findall(title)]
        words += [f"inauthor:{word}" for word in _WORD.findall(author)]
        return self._volumes(" ".join(words), maxResults=SEARCH_RESULTS, printType="books")

    def parse_search(self, payload: Any) -> list[Candidate]:
        return fields.readable_records(payload.get("items") or [], self.parse_volume)

    def volume(self, volume_id: str) -> LookupResult:
        """`volumes/{id}`: the detail answer, whose imageLinks go up to extraLarge."""

        def fetch():
            url = f"{self.base_url}/volumes/{volume_id}"
            return self.get_json(url, params=self._key_param, allow_404=True)

        return self.lookup_one(
            key=f"volume:{volume_id}", fetch=fetch, parse=lambda item: [self.parse_volume(item)]
        )

    def parse_volume(self, item: dict) -> Candidate:
        fields.expect(item, dict, "volume")
        info = fields.expect(item.get("volumeInfo") or {}, dict, "volumeInfo")
        isbn13s, isbn10s = fields.isbn_lists(
            identifier.get("identifier")
            for identifier in info.get("industryIdentifiers") or []
            if identifier.get("type") in ("ISBN_13", "ISBN_10")
        )
        volume_id = fields.text(item.get("id"))
        image_links = info.get("imageLinks") or {}
        covers = [
            CoverRef(
                provider=self.name,
                url=clean_image_url(image_links[size]),
                cover_id=volume_id,
                size_label=size,
            )
            for size in IMAGE_SIZES
            if fields.text(image_links.get(size))
        ]
        return Candidate(
            provider=self.name,
            provider_ids={"google_books": volume_id} if volume_id else {},
            isbn13=isbn13s,
            isbn10=isbn10s,
            title=fields.text(info.get("title")),
            subtitle=fields.text(info.get("subtitle")),
            authors=[Contributor(name=name) for name in fields.person_names(info.get("authors"))],
            publisher=fields.publisher_name(info.get("publisher")),
            publication_date=fields.iso_date(info.get("publishedDate")),
            # A volume's own answer counts an ebook's screens in `pageCount` (Dans la toile du
            # temps: 704) and the printed book's pages in `printedPageCount` (478, which its
            # search answer gives as `pageCount`): the catalog's page count is the book's.
            page_count=fields.positive_int(info.get("printedPageCount"))
            or fields.positive_int(info.get("pageCount")),
            language=fields.language_code(info.get("language")),
            description=fields.text(info.get("description")),
            subjects=fields.subjects(info.get("categories") or []),
            covers=covers,  # largest first
            source_url=fields.text(info.get("canonicalVolumeLink") or info.get("infoLink")),
        )
