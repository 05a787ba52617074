"""The demo provider's knowledge: the recorded bodies in data/, indexed by what they answer for.

Loading and look-ups only, no HTTP (`server.py` serves them). Every body is a real recording
(see data/PROVENANCE.md). Serving changes only what a recording cannot carry: a Books API record
is keyed by the bibkey as it was sent (as Open Library does), and Google's image links point at
the demo server instead of books.google.com (which the demo must never ask).
"""

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from catalog import isbn, text

DATA_DIR = Path(__file__).resolve().parent / "data"
#: The bundled export `make demo` imports (BookWyrm's CSV layout; data/PROVENANCE.md).
DEMO_EXPORT = DATA_DIR / "synthetic-bookwyrm-export.csv"
GOOGLE_EMPTY = "google_books/volumes__empty_result__totalItems_0.json"
_ARTICLES = frozenset({"the", "a", "an"})
#: The keys of Open Library's search answer that an answer without a match keeps.
_SEARCH_ENVELOPE = ("start", "num_found", "numFound", "docs")


@dataclass(frozen=True, slots=True)
class SearchRecording:
    """A recorded search answer and the query it answers (a body cannot say what it was asked:
    its PROVENANCE line does)."""

    path: str
    title: str
    author: str = ""  # words the asked author must hold; "" when recorded without an author


OPENLIBRARY_SEARCHES = (
    SearchRecording(
        "openlibrary/search__author_tolkien__title_lord_of_the_rings__2013.json",
        title="lord of the rings",
        author="tolkien",
    ),
)
GOOGLE_SEARCHES = (
    SearchRecording("google_books/volumes__q_children_of_time_2015.json", title="children of time"),
)


def title_words(value: str) -> tuple[str, ...]:
    """A title as comparable words: no case, accents, punctuation or leading article."""
    words = text.normalize_text(value).split()
    if words and words[0] in _ARTICLES:
        words = words[1:]
    return tuple(words)


def _isbn13s(values) -> set[str]:
    return {found for value in values if (found := isbn.to_isbn13(str(value)))}


@dataclass
class Recordings:
    """What the demo provider knows, keyed the way the providers' endpoints are asked."""

    books_api: dict[str, dict] = field(default_factory=dict)  # ISBN-13 -> jscmd=data record
    records: dict[str, bytes] = field(default_factory=dict)  # "books/OL1M" -> JSON as recorded
    google_isbn: dict[str, dict] = field(default_factory=dict)  # ISBN-13 -> `q=isbn:` answer
    openlibrary_searches: list[tuple[SearchRecording, bytes]] = field(default_factory=list)
    google_searches: list[tuple[SearchRecording, dict]] = field(default_factory=list)
    openlibrary_no_docs: bytes = b"{}"
    google_empty: bytes = b"{}"
    #: Cover keys ("id:2379038", "isbn:9780316030571", "google:GjASzgEACAAJ") -> the title.
    cover_titles: dict[str, str] = field(default_factory=dict)

    # --- Open Library ------------------------------------------------------------------------

    def books_api_answer(self, bibkeys: list[str]) -> dict:
        """One key per bibkey found, spelled as sent; the unknown ones are left out ({} when
        none is known), as Open Library's Books API answers."""
        answer = {}
        for bibkey in (key.strip() for key in bibkeys):
            isbn13 = isbn.to_isbn13(bibkey.removeprefix("ISBN:"))
            if isbn13 in self.books_api:
                answer[bibkey] = self.books_api[isbn13]
        return answer

    def record(self, path: str) -> bytes | None:
        """`books/OL…M`, `works/OL…W` or `authors/OL…A` as recorded, or None."""
        return self.records.get(path)

    def openlibrary_search(self, *, title: str, author: str) -> bytes:
        for recording, body in self.openlibrary_searches:
            if _answers(recording, title, author):
                return body
        return self.openlibrary_no_docs

    def openlibrary_grouped_search(self, queries: list[tuple[str, str]]) -> bytes:
        """A grouped search (`q=(title:… AND author:…) OR …`): the docs of every recording
        that answers one of its (title, author) searches, in one answer."""
        docs = [
            doc
            for recording, body in self.openlibrary_searches
            if any(_answers(recording, title, author) for title, author in queries)
            for doc in json.loads(body).get("docs") or []
        ]
        return json.dumps({"start": 0, "numFound": len(docs), "docs": docs}).encode()

    # --- Google Books ------------------------------------------------------------------------

    def google_volumes(self, query: str, *, image_base_url: str) -> bytes:
        """A `volumes?q=` answer: `isbn:X`, or `intitle:… inauthor:…` words (calibre's way,
        which our client uses), or free text taken as the title."""
        body = None
        if query.startswith("isbn:"):
            body = self.google_isbn.get(isbn.to_isbn13(query.removeprefix("isbn:")) or "")
        else:
            title, author = _google_search_words(query)
            body = next(
                (found for rec, found in self.google_searches if _answers(rec, title, author)),
                None,
            )
        if body is None:
            return self.google_empty
        return json.dumps(
            with_image_links_on(body, image_base_url), ensure_ascii=False, indent=2
        ).encode()

    def cover_title(self, key: str) -> str | None:
        return self.cover_titles.get(key)


def _answers(recording: SearchRecording, title: str, author: str) -> bool:
    if title_words(title) != title_words(recording.title):
        return False
    asked = set(text.normalize_person_name(author).split())
    return set(recording.author.split()) <= asked


def _google_search_words(query: str) -> tuple[str, str]:
    title, author, free = [], [], []
    for word in query.split():
        if word.startswith("intitle:"):
            title.append(word.removeprefix("intitle:"))
        elif word.startswith("inauthor:"):
            author.append(word.removeprefix("inauthor:"))
        else:
            free.append(word)
    return " ".join(title or free), " ".join(author)


def with_image_links_on(body: dict, base_url: str) -> dict:
    """The body with each volume's imageLinks moved to `base_url` (path and query kept)."""
    body = copy.deepcopy(body)
    base = base_url.rstrip("/")
    for item in body.get("items") or []:
        links = (item.get("volumeInfo") or {}).get("imageLinks") or {}
        for size, url in links.items():
            parts = urlsplit(url)
            links[size] = f"{base}{parts.path}?{parts.query}" if parts.query else base + parts.path
    return body


# --- loading -----------------------------------------------------------------------------------


def load_recordings(data_dir: Path = DATA_DIR) -> Recordings:
    """Read and index every recorded body under `data_dir`."""
    found = Recordings()
    openlibrary, google = data_dir / "openlibrary", data_dir / "google_books"
    for path in sorted(openlibrary.glob("books_api_jscmd_data__*.json")):
        for bibkey, record in json.loads(path.read_text(encoding="utf-8")).items():
            _add_books_api_record(found, bibkey, record)
    for path in sorted(openlibrary.glob("*dump_lines*.txt")):
        for line in path.read_bytes().splitlines():
            _add_dump_line(found, line)
    for recording in OPENLIBRARY_SEARCHES:
        raw = (data_dir / recording.path).read_bytes()
        found.openlibrary_searches.append((recording, raw))
        search = json.loads(raw)
        for doc in search.get("docs") or []:
            _add_cover_title(found, f"id:{doc.get('cover_i')}", doc.get("title"))
        # Open Library's answer without a match, in the shape of the recorded body.
        no_docs: dict[str, Any] = {
            key: [] if key == "docs" else 0 for key in search if key in _SEARCH_ENVELOPE
        }
        found.openlibrary_no_docs = json.dumps(no_docs).encode()
    for path in sorted(google.glob("volumes__q_isbn_*.json")):
        volumes = _google_body(path)
        for item in volumes.get("items") or []:
            for isbn13 in _isbn13s(_volume_isbns(item)):
                found.google_isbn[isbn13] = volumes
    for recording in GOOGLE_SEARCHES:
        found.google_searches.append((recording, _google_body(data_dir / recording.path)))
    for volumes in [*found.google_isbn.values(), *(body for _, body in found.google_searches)]:
        for item in volumes.get("items") or []:
            title = (item.get("volumeInfo") or {}).get("title")
            _add_cover_title(found, f"google:{item.get('id')}", title)
    found.google_empty = (data_dir / GOOGLE_EMPTY).read_bytes()
    return found


def _google_body(path: Path) -> dict:
    # Some recordings start with a UTF-8 BOM (the recording repository's, not Google's).
    return json.loads(path.read_text(encoding="utf-8-sig"))


def _volume_isbns(item: dict) -> list[str]:
    identifiers = (item.get("volumeInfo") or {}).get("industryIdentifiers") or []
    return [i.get("identifier", "") for i in identifiers if i.get("type") in ("ISBN_10", "ISBN_13")]


def _add_books_api_record(found: Recordings, bibkey: str, record: dict) -> None:
    identifiers = record.get("identifiers") or {}
    isbns = _isbn13s(
        [
            bibkey.removeprefix("ISBN:"),
            *identifiers.get("isbn_13", []),
            *identifiers.get("isbn_10", []),
        ]
    )
    title = record.get("title")
    for isbn13 in isbns:
        found.books_api[isbn13] = record
        _add_cover_title(found, f"isbn:{isbn13}", title)
    for url in (record.get("cover") or {}).values():
        cover_id = url.rsplit("/", 1)[-1].split("-", 1)[0]
        _add_cover_title(found, f"id:{cover_id}", title)


def _add_dump_line(found: Recordings, line: bytes) -> None:
    """A line of Open Library's dump: type, key, revision, modified, and the record's JSON,
    which is what `/{key}.json` answers."""
    columns = line.split(b"\t")
    if len(columns) != 5:
        return
    key, document = columns[1].decode(), columns[4]
    found.records[key.strip("/")] = document
    record = json.loads(document)
    for cover_id in record.get("covers") or []:
        _add_cover_title(found, f"id:{cover_id}", record.get("title"))


def _add_cover_title(found: Recordings, key: str, title) -> None:
    if key.startswith("id:") and not key[3:].isdigit():
        return  # no cover (None), or Open Library's -1
    found.cover_titles.setdefault(key, str(title or ""))
