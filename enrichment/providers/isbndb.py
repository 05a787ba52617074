"""ISBNdb v2 (paid key): `POST /books` in bulk, `GET /book/{isbn}`, `GET /books/{title}` search.

The key goes in the `Authorization` header as is (no "Bearer"). Each ISBN in a bulk request
counts against the daily quota, so a batch costs as many budget units as it holds ISBNs. Unknown
ISBNs are silently left out of a bulk answer, whose `data` is a list or an object; a title
search answers its books under `books`.
"""

import re
from typing import Any
from urllib.parse import quote

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from enrichment.candidate_notes import note
from enrichment.candidates import Candidate, Contributor, CoverRef
from enrichment.providers import fields
from enrichment.providers.base import Provider, SettingNames, record_url

SEARCH_PAGE_SIZE = 20
#: ISBNdb's mark on an author it filled in itself ("田中 卓也 ~autofilled~"): no part of the name.
_AUTOFILLED = re.compile(r"\s*~autofilled~\s*", re.IGNORECASE)
#: ISBNdb's language when none was recorded: "en", on Japanese books as well.
_DEFAULT_LANGUAGE = "en"
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
#: An LC class ISBNdb files among the subjects, its letters apart from its number ("PQ", "878").
_LC_CLASS_LETTERS = re.compile(r"[A-Z]{1,3}")


class IsbndbProvider(Provider):
    name = "isbndb"
    label = _("ISBNdb")
    setting_names = SettingNames(
        url="ISBNDB_URL",
        api_key="ISBNDB_API_KEY",
        rate="ISBNDB_RATE",
        daily_budget="ISBNDB_DAILY_BUDGET",
        batch_size="ISBNDB_BATCH_SIZE",
    )

    @classmethod
    def book_url(cls, ids: dict[str, str]) -> str:
        return record_url("https://isbndb.com/book/{}", ids, "isbndb")

    def is_configured(self) -> bool:
        return bool(self.api_key)  # a paid service: no key, no provider

    def request_cost(self, isbns) -> int:
        return len(isbns)

    def is_daily_quota_answer(self, status: int, body: str) -> bool:
        # A plain 429 "Limit Exceeded" is the per-second limit; the daily one names the day.
        lowered = body.casefold()
        return "daily" in lowered or "per day" in lowered or "quota" in lowered

    def is_not_found_answer(self, body: Any) -> bool:
        # {"errorMessage": "Not Found"} in the docs; the newer spec's message / error_message.
        if not isinstance(body, dict):
            return False
        said = (body.get(key) for key in ("errorMessage", "message", "error_message"))
        return any(isinstance(text, str) and text.casefold() == "not found" for text in said)

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": self.api_key}

    def fetch_isbns(self, isbns: list[str]) -> dict[str, Any]:
        if len(isbns) == 1:
            body = self.get_json(
                f"{self.base_url}/book/{isbns[0]}", headers=self._headers, allow_404=True
            )
            books = [] if body is None else [fields.expect(body, dict, "book answer")["book"]]
        else:
            body = self.request_json(
                "POST", f"{self.base_url}/books", json={"isbns": isbns}, headers=self._headers
            )
            books = self._books(body)
        found: dict[str, Any] = {}
        for book in books:
            fields.expect(book, dict, "book")
            isbn13s, _ = fields.isbn_lists([book.get("isbn13"), book.get("isbn")])
            for isbn13 in isbn13s:
                if isbn13 in isbns:
                    found.setdefault(isbn13, book)
        return found

    @staticmethod
    def _books(body: Any) -> list:
        fields.expect(body, dict, "books answer")
        # The bulk POST lists its books under `data`; a title search (`GET /books/{query}`)
        # under `books`, whatever the spec says.
        data = body.get("data", body.get("books", []))
        if isinstance(data, dict):  # an object map as well as a list, by the spec
            data = list(data.values())
        return fields.expect(data, list, "books data")

    def parse_isbn(self, isbn13: str, payload: Any) -> list[Candidate]:
        return [self.parse_book(payload)]

    def fetch_search(self, *, title: str, author: str) -> Any:
        body = self.get_json(
            f"{self.base_url}/books/{quote(title[:150], safe='')}",
            params={"column": "title", "pageSize": SEARCH_PAGE_SIZE},
            headers=self._headers,
            allow_404=True,
        )
        return {"data": []} if body is None else {"data": self._books(body)}

    def parse_search(self, payload: Any) -> list[Candidate]:
        return fields.readable_records(payload.get("data") or [], self.parse_book)

    def parse_book(self, book: dict) -> Candidate:
        fields.expect(book, dict, "book")
        isbn13s, isbn10s = fields.isbn_lists(
            [book.get("isbn13"), book.get("isbn10"), book.get("isbn")]
        )
        title = fields.text(book.get("title"))
        title_long = fields.text(book.get("title_long"))
        subtitle = ""
        if title_long.startswith(f"{title}:"):
            subtitle = title_long[len(title) + 1 :].strip()
        # The dump spells the host "Https://"; image_original expires after 2 hours: not kept.
        image = fields.text(book.get("image"))
        if image.lower().startswith("https://"):
            image = "https://" + image[len("https://") :]
        covers = [CoverRef(provider=self.name, url=image)] if image else []
        names, guessed = author_names(book.get("authors"))
        notes: list[str] = [
            note(
                gettext_noop("ISBNdb filled in the author by guess: %(names)s."),
                names=", ".join(guessed),
            )
        ]
        return Candidate(
            provider=self.name,
            provider_ids={"isbndb": isbn13s[0]} if isbn13s else {},
            isbn13=isbn13s,
            isbn10=isbn10s,
            title=title,
            subtitle=subtitle,
            authors=[Contributor(name=name) for name in names],
            publisher=fields.publisher_name(book.get("publisher")),
            publication_date=fields.iso_date(book.get("date_published")),
            # A record without `pages` may give its extent as `dimensions` ("97 p.").
            page_count=fields.positive_int(book.get("pages"))
            or fields.extent_pages(book.get("dimensions")),
            format=fields.edition_format(book.get("binding")),
            language=book_language(book.get("language"), title),
            description=fields.text(book.get("synopsis") or book.get("overview")),
            subjects=fields.subjects(
                subject
                for subject in fields.as_list(book.get("subjects"))
                if not _LC_CLASS_LETTERS.fullmatch(fields.text(subject))
            ),
            covers=covers,
            source_url=f"https://isbndb.com/book/{isbn13s[0]}" if isbn13s else "",
            notes=notes if guessed else [],
        )


def author_names(values: Any) -> tuple[list[str], list[str]]:
    """A book's `authors` -> (the names, those ISBNdb filled in by guess), without its marker."""
    names: list[str] = []
    guessed: list[str] = []
    for value in fields.as_list(values):
        raw = fields.text(value)
        name = fields.person_name(_AUTOFILLED.sub(" ", raw).strip())
        names.append(name)
        if _AUTOFILLED.search(raw):
            guessed.append(name)
    return fields.unique(names), fields.unique(guessed)


def book_language(value: Any, title: str) -> str:
    """A book's language: ISBNdb's default "en" says nothing of a book whose title has no
    Latin letter (its real records of Japanese books, `確定申告、住宅ローン控除とは？`, say
    "en")."""
    language = fields.language_code(value)
    if language == _DEFAULT_LANGUAGE and title and not _LATIN_LETTER.search(title):
        return ""
    return language
