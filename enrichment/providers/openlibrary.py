"""Open Library: the batched Books API, edition / work / author records, and search.json.

Covers are referenced by cover id only: the covers service limits ISBN / OLID lookups to 100 per
IP per 5 minutes, while cover-id lookups are not limited. Author records and works lists are
read as AuthorCandidates by enrichment.providers.openlibrary_authors.
"""

import re
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from enrichment.author_candidates import AuthorCandidate
from enrichment.candidates import Candidate, Contributor, CoverRef, LookupResult, LookupStatus
from enrichment.openlibrary_titles import edition_title
from enrichment.providers import cascade, fields, openlibrary_authors, settle
from enrichment.providers import openlibrary_marc as marc
from enrichment.providers.base import ASK_ALONE, Provider, SettingNames, TitleQuery, record_url
from enrichment.providers.http import ProviderFault
from enrichment.publication_dates import openlibrary_iso_date

_COVER_ID_URL = re.compile(r"/b/id/(\d+)-[SML]\.jpg")
_OLID = re.compile(r"OL\d+[AMW]")
SEARCH_FIELDS = (
    "key,title,subtitle,author_name,author_key,isbn,cover_i,first_publish_year,publisher,"
    "language,cover_edition_key"
)
SEARCH_LIMIT = 10
#: Characters Solr's query parser reads as syntax: escaped in a grouped search's terms.
_SOLR_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
#: One clause of a grouped search as `search_clause` writes it, its terms' escapes kept.
_SEARCH_CLAUSE = re.compile(r"\(title:\(((?:\\.|[^\\)])*)\) AND author:\(((?:\\.|[^\\)])*)\)\)")
_ESCAPED = re.compile(r"\\(.)")
#: Open Library pages of a record, by the `provider_ids` key that names it, most specific first.
RECORD_PATHS = (
    ("openlibrary_edition", "books", _("edition")),
    ("openlibrary_work", "works", _("work")),
    ("openlibrary_author", "authors", _("author")),
)


def olid(value: Any, kinds: str = "AMW") -> str:
    """ "/books/OL7353617M", "https://openlibrary.org/authors/OL1A/Name", "OL27448W" -> the id;
    "" unless its last letter is one of `kinds` ("W" a work, "M" an edition, "A" an author):
    the path says nothing (search lists an edition no work holds as "/works/OL12746338M")."""
    match = _OLID.search(fields.text(value))
    return match.group(0) if match and match.group(0)[-1] in kinds else ""


def cover_refs(cover_ids: list[Any]) -> list[CoverRef]:
    """Large then medium cover by id; -1 in Open Library records means "no cover"."""
    covers_url = OpenLibraryProvider.configured_url("covers_url")
    refs = []
    for cover_id in cover_ids:
        number = fields.positive_int(cover_id)
        if number is None:
            continue
        for size in ("L", "M"):
            refs.append(
                CoverRef(
                    provider=OpenLibraryProvider.name,
                    url=f"{covers_url}/b/id/{number}-{size}.jpg",
                    cover_id=str(number),
                    size_label=size,
                )
            )
    return refs


def record_subjects(record: dict, *keys: str) -> list[str]:
    """The subjects of an Open Library record's lists `keys` ("subjects", "genres"), then the
    places it is about (`subject_places`: "Cornwall (England : County)", "Lancre (Imaginary
    place)"), which the catalog keeps among the subjects too; each entry text or, in the Books
    API, {name, url}. Not `subject_people` (a bare name loses what it is: the Discworld
    character "Death" would read as the topic death) nor `subject_times` ("19th century" says
    nothing without the heading it divided)."""
    return fields.subjects(
        entry.get("name") if isinstance(entry, dict) else entry
        for key in (*keys, "subject_places")
        for entry in fields.as_list(record.get(key))
    )


def read_error_body(body: Any) -> Any:
    """An Open Library answer, unless it is only an error: `{"error": "notfound", …}` (a record
    that does not exist, whatever the HTTP status) is "no such record" (None); any other
    `error` (search.json's HTTP 200 when its Solr query failed: `{"docs": [], "numFound": 0,
    "error": "…"}`) is a server failure, asked again later, never "no match"."""
    error = body.get("error") if isinstance(body, dict) else None
    if error is None:
        return body
    if error == "notfound":
        return None
    raise ProviderFault(
        LookupStatus.SERVER_ERROR, f"Open Library answered an error: {fields.text(error)}"
    )


def cached_payload(payload: Any) -> Any:
    """A payload as `read_error_body` reads an answer, for one cached before error answers were
    read so: an error (a search Open Library could not run, cached as "no match") is unreadable,
    so asked again; a `notfound` (cached as a record) is no record, None."""
    try:
        return read_error_body(payload)
    except ProviderFault as fault:
        raise fields.UnexpectedShape(fault.error) from fault


class OpenLibraryProvider(Provider):
    name = "openlibrary"
    label = _("Open Library")
    setting_names = SettingNames(
        url="OPENLIBRARY_URL",
        covers_url="OPENLIBRARY_COVERS_URL",
        rate="OPENLIBRARY_RATE",
        daily_budget="OPENLIBRARY_DAILY_BUDGET",
        batch_size="OPENLIBRARY_BATCH_SIZE",
    )

    @classmethod
    def book_url(cls, ids: dict[str, str]) -> str:
        """The edition's page, else the work's, else the author's."""
        pages = cls.book_pages(ids)
        return pages[0][1] if pages else ""

    @classmethod
    def book_pages(cls, ids: dict[str, str]) -> list[tuple[str, str]]:
        """The edition's page and the work's (a reviewer compares both), else the author's."""
        base_url = cls.configured_url()
        pages = [
            (str(kind), url)
            for key, path, kind in RECORD_PATHS
            if (url := record_url(f"{base_url}/{path}/{{}}", ids, key))
        ]
        return pages[:2]

    def is_not_found_answer(self, body: Any) -> bool:
        # infogami's answer for a record that does not exist (see read_error_body).
        return isinstance(body, dict) and body.get("error") == "notfound"

    def get_answer(self, url: str, **kwargs) -> Any:
        """GET one of Open Library's JSON answers, its error bodies read for what they say
        (`read_error_body`)."""
        return read_error_body(self.get_json(url, **kwargs))

    # --- Books API (batched ISBN lookup) ---------------------------------------------------------

    def fetch_isbns(self, isbns: list[str]) -> dict[str, Any]:
        body = self.get_answer(
            f"{self.base_url}/api/books",
            params={
                "bibkeys": ",".join(f"ISBN:{isbn13}" for isbn13 in isbns),
                "format": "json",
                "jscmd": "data",
            },
        )
        # One key per bibkey *found*, spelled as sent; the rest are absent ({} when none is).
        fields.expect(body, dict, "Books API answer")
        found = {}
        for bibkey, record in body.items():
            isbn13s, _ = fields.isbn_lists([bibkey.removeprefix("ISBN:")])
            if isbn13s and isbn13s[0] in isbns:
                found[isbn13s[0]] = fields.expect(record, dict, bibkey)
        return found

    def parse_isbn(self, isbn13: str, payload: Any) -> list[Candidate]:
        return [self.parse_books_api_record(payload)]

    def parse_books_api_record(self, record: dict) -> Candidate:
        """A `jscmd=data` record: authors and publishers as {name, url}, cover by URL; its
        catalogue text (statement of responsibility, pagination, places) read as an edition
        record's (`marc.catalogue_fields`)."""
        identifiers = record.get("identifiers") or {}
        isbn13s, isbn10s = fields.isbn_lists(
            [*identifiers.get("isbn_13", []), *identifiers.get("isbn_10", [])]
        )
        edition_id = olid(record.get("key")) or olid(identifiers.get("openlibrary", [""])[0])
        cover_ids = [
            match.group(1)
            for url in (record.get("cover") or {}).values()
            if (match := _COVER_ID_URL.search(fields.text(url)))
        ]
        ids = {"openlibrary_edition": edition_id}
        if goodreads := identifiers.get("goodreads"):
            ids["goodreads"] = fields.text(goodreads[0])
        for ebook in record.get("ebooks") or []:
            if "archive.org/details/" in fields.text(ebook.get("preview_url")):
                ids["archive_org"] = ebook["preview_url"].rsplit("/details/", 1)[1].strip("/")
                break
        authors = [
            Contributor(name=name, provider_id=olid(author.get("url")))
            for author in record.get("authors") or []
            if (name := fields.person_name(author.get("name")))
        ]
        # The Books API names publishers and places as {name, url}; the edition record, as text.
        catalogue = marc.catalogue_fields(
            {
                **record,
                "publishers": [p.get("name") for p in record.get("publishers") or []],
                "publish_places": [p.get("name") for p in record.get("publish_places") or []],
            },
            authors,
        )
        return Candidate(
            provider=self.name,
            provider_ids={key: value for key, value in ids.items() if value},
            isbn13=isbn13s,
            isbn10=isbn10s,
            title=fields.text(record.get("title")),
            subtitle=fields.text(record.get("subtitle")),
            authors=catalogue.people,
            publisher=catalogue.publisher,
            publication_date=openlibrary_iso_date(record.get("publish_date")),
            page_count=catalogue.page_count,
            series=catalogue.series,
            series_number=catalogue.series_number,
            description=fields.description_text(record.get("description")),
            subjects=record_subjects(record, "subjects"),
            covers=cover_refs(list(dict.fromkeys(cover_ids))),
            source_url=f"{self.base_url}/books/{edition_id}" if edition_id else "",
        )

    # --- records by Open Library id -----------------------------------------------------------

    def edition(self, edition_id: str) -> LookupResult:
        """`/books/OL..M.json`: format, languages and the description in either shape."""
        return self.lookup_one(
            key=f"edition:{edition_id}",
            fetch=lambda: self.get_answer(
                f"{self.base_url}/books/{edition_id}.json", allow_404=True
            ),
            parse=lambda record: self._records(record, self.parse_edition),
        )

    def work(self, work_id: str) -> LookupResult:
        """`/works/OL..W.json`: the work's description, subjects and covers."""
        return self.lookup_one(
            key=f"work:{work_id}",
            fetch=lambda: self.get_answer(f"{self.base_url}/works/{work_id}.json", allow_404=True),
            parse=lambda record: self._records(record, self.parse_work),
        )

    def author(self, author_id: str) -> LookupResult:
        """`/authors/OL..A.json`, as a Candidate whose only author is that person."""
        return self.lookup_one(
            key=f"author:{author_id}",
            fetch=lambda: self.get_answer(
                f"{self.base_url}/authors/{author_id}.json", allow_404=True
            ),
            parse=lambda record: self._records(record, self.parse_author),
        )

    # --- authors as people (AuthorCandidate), for the author lookups ------------------------------

    def authors(self, keys: Sequence[str]) -> dict[str, LookupResult[AuthorCandidate]]:
        """`/authors/OL…A.json` for each key ("OL23919A", "/authors/OL23919A", an author page's
        URL), by its author id: one request per author not in the cache, sharing the cache
        with `author` (the same records). A key that is no author id is answered NOT_FOUND
        without a request."""
        results: dict[str, LookupResult[AuthorCandidate]] = {}
        wanted: dict[str, None] = {}
        for key in keys:
            if author_id := openlibrary_authors.author_key(key):
                wanted[author_id] = None
            else:
                results[str(key)] = self._result(
                    str(key), LookupStatus.NOT_FOUND, error="not an Open Library author key"
                )
        found = self.lookup_keys(
            [f"author:{author_id}" for author_id in wanted],
            fetch=self._fetch_author_records,
            parser=lambda key: self.parse_author_record,
            batch_size=1,  # no batch endpoint for author records
        )
        results.update({author_id: found[f"author:{author_id}"] for author_id in wanted})
        return results

    def _fetch_author_records(self, keys: list[str]) -> dict[str, Any]:
        return {
            key: self.get_answer(
                f"{self.base_url}/authors/{key.removeprefix('author:')}.json", allow_404=True
            )
            for key in keys
        }

    def parse_author_record(self, record: Any) -> list[AuthorCandidate]:
        if (record := cached_payload(record)) is None:
            return []
        return [
            openlibrary_authors.author_candidate(
                record,
                provider=self.name,
                base_url=self.base_url,
                covers_url=self.configured_url("covers_url"),
            )
        ]

    def author_works(self, key: str) -> LookupResult[AuthorCandidate]:
        """`/authors/OL…A/works.json?limit=…`: the author with the titles of their works (the
        first AUTHOR_WORKS_LIMIT), for matching; one cached request."""
        author_id = openlibrary_authors.author_key(key)
        if not author_id:
            return self._result(
                str(key), LookupStatus.NOT_FOUND, error="not an Open Library author key"
            )
        return self.lookup_one(
            key=f"author-works:{author_id}",
            fetch=lambda: self.get_answer(
                f"{self.base_url}/authors/{author_id}/works.json",
                params={"limit": openlibrary_authors.AUTHOR_WORKS_LIMIT},
                allow_404=True,
            ),
            parse=lambda body: [
                openlibrary_authors.works_candidate(
                    body, author_id=author_id, provider=self.name, base_url=self.base_url
                )
            ],
        )

    # --- authors named in book records ------------------------------------------------------------

    def author_names(self, keys: list[Any]) -> list[Contributor]:
        """Edition and work records name authors by key only: look each up (cached)."""
        contributors = []
        for key in keys:
            result = self.author(olid(key)) if olid(key) else None
            if result and result.status == LookupStatus.FOUND:
                contributors.extend(result.candidates[0].authors)
        return contributors

    @staticmethod
    def _records(payload: Any, parse: Callable[[Any], Candidate]) -> list[Candidate]:
        """One record's Candidate, none for a `notfound` cached as a record (`cached_payload`)."""
        record = cached_payload(payload)
        return [] if record is None else [parse(record)]

    def parse_edition(self, record: dict) -> Candidate:
        fields.expect(record, dict, "edition record")
        isbn13s, isbn10s = fields.isbn_lists(
            [*record.get("isbn_13", []), *record.get("isbn_10", [])]
        )
        edition_id = olid(record.get("key"))
        work_id = next((olid(work.get("key")) for work in record.get("works") or []), "")
        identifiers = record.get("identifiers") or {}
        ids = {
            "openlibrary_edition": edition_id,
            "openlibrary_work": work_id,
            "goodreads": fields.text((identifiers.get("goodreads") or [""])[0]),
            "google_books": fields.text((identifiers.get("google") or [""])[0]),
            "archive_org": fields.text(record.get("ocaid")),
        }
        authors = self.author_names([a.get("key") for a in record.get("authors") or []])
        catalogue = marc.catalogue_fields(record, authors)
        return Candidate(
            provider=self.name,
            provider_ids={key: value for key, value in ids.items() if value},
            isbn13=isbn13s,
            isbn10=isbn10s,
            title=fields.text(edition_title(record.get("title"), record.get("title_prefix"))),
            subtitle=fields.text(record.get("subtitle")),
            authors=catalogue.people,
            publisher=catalogue.publisher,
            publication_date=openlibrary_iso_date(record.get("publish_date")),
            page_count=catalogue.page_count,
            series=catalogue.series,
            series_number=catalogue.series_number,
            format=fields.edition_format(record.get("physical_format")),
            language=next(
                (fields.language_code(lang.get("key")) for lang in record.get("languages") or []),
                "",
            ),
            description=fields.description_text(record.get("description")),
            subjects=record_subjects(record, "subjects", "genres"),
            covers=cover_refs(record.get("covers") or []),
            source_url=f"{self.base_url}/books/{edition_id}" if edition_id else "",
        )

    def parse_work(self, record: dict) -> Candidate:
        fields.expect(record, dict, "work record")
        work_id = olid(record.get("key"))
        author_keys = [(a.get("author") or {}).get("key") for a in record.get("authors") or []]
        return Candidate(
            provider=self.name,
            provider_ids={"openlibrary_work": work_id} if work_id else {},
            title=fields.text(record.get("title")),
            subtitle=fields.text(record.get("subtitle")),
            authors=fields.unique_people(self.author_names(author_keys)),
            description=fields.description_text(record.get("description")),
            subjects=record_subjects(record, "subjects"),
            covers=cover_refs(record.get("covers") or []),
            first_published_year=fields.year_of(record.get("first_publish_date")),
            source_url=f"{self.base_url}/works/{work_id}" if work_id else "",
        )

    def parse_author(self, record: dict) -> Candidate:
        """An author record as a book Candidate whose only author is that person (the name
        read as `parse_author_record` reads it)."""
        author_id = olid(record.get("key"))
        [person] = self.parse_author_record(record)
        name = person.name
        return Candidate(
            provider=self.name,
            provider_ids={"openlibrary_author": author_id},
            authors=[Contributor(name=name, provider_id=author_id)] if name else [],
            source_url=f"{self.base_url}/authors/{author_id}",
        )

    # --- search.json (title + author -> works with their ISBNs) ----------------------------------

    def fetch_search(self, *, title: str, author: str) -> Any:
        params = {"title": title, "fields": SEARCH_FIELDS, "limit": SEARCH_LIMIT}
        if author:
            params["author"] = author
        body = self.get_answer(f"{self.base_url}/search.json", params=params)
        fields.expect(body, dict, "search answer")
        fields.expect(body.get("docs", []), list, "search docs")
        return body

    def parse_search(self, payload: Any) -> list[Candidate]:
        if (payload := cached_payload(payload)) is None:
            return []
        return fields.readable_records(payload.get("docs") or [], self.parse_search_doc)

    def parse_search_doc(self, doc: dict) -> Candidate:
        fields.expect(doc, dict, "search doc")
        isbn13s, isbn10s = fields.isbn_lists(doc.get("isbn") or [])
        # A doc is a work, or an edition no work holds (its key an edition id).
        work_id, edition_id = olid(doc.get("key"), "W"), olid(doc.get("key"), "M")
        ids = {"openlibrary_work": work_id, "openlibrary_edition": edition_id}
        names = doc.get("author_name") or []
        keys = doc.get("author_key") or []
        return Candidate(
            provider=self.name,
            provider_ids={kind: value for kind, value in ids.items() if value},
            isbn13=isbn13s,
            isbn10=isbn10s,
            title=fields.text(doc.get("title")),
            subtitle=fields.text(doc.get("subtitle")),
            authors=fields.unique_people(
                Contributor(name=name, provider_id=olid(keys[i] if i < len(keys) else ""))
                for i, raw in enumerate(names)
                if (name := fields.person_name(raw))
            ),
            # A search result is a work: its lists are all its editions' (8 publishers,
            # ["spa", "eng"]); only a value they all share is this book's.
            publisher=fields.publisher_name(fields.sole(doc.get("publisher"))),
            language=fields.language_code(fields.sole(doc.get("language"))),
            covers=cover_refs([doc.get("cover_i")]),
            first_published_year=fields.positive_int(doc.get("first_publish_year")),
            source_url=self.book_url(ids),
        )

    # --- search.json, several title + author searches in one request ---------------------------

    def search_many(self, queries: Sequence[TitleQuery]) -> list[LookupResult]:
        """Each query's search, up to OPENLIBRARY_SEARCH_GROUP_SIZE of them in one request
        (`q=(title:(…) AND author:(…)) OR (…)`), each under its own cache key (the one `search`
        reads, so a later single search of it is a cache hit). A record is given to the query
        the cascade's matching says it is (never by its position in the answer); a query the
        one answer cannot decide (see `group_answer`) is asked alone. A fault of a grouped
        request is the fault of its queries, which are not asked again now."""
        groupable = list(
            dict.fromkeys(query.key for query in queries if search_clause(query) is not None)
        )
        by_key = {query.key: query for query in queries}
        size = settings.OPENLIBRARY_SEARCH_GROUP_SIZE
        grouped: dict[str, LookupResult] = {}
        if size > 1 and len(groupable) > 1:
            grouped = self.lookup_keys(
                groupable,
                fetch=lambda keys: self.fetch_search_group([by_key[key] for key in keys]),
                parser=lambda key: self.parse_search,
                batch_size=size,
            )
        return [
            grouped[query.key]
            if query.key in grouped
            else self.search(title=query.title, author=query.author)
            for query in queries
        ]

    def fetch_search_group(self, queries: list[TitleQuery]) -> dict[str, Any]:
        """One search.json request for these queries -> {query key: its share of the answer}."""
        clauses = [clause for query in queries if (clause := search_clause(query))]
        limit = SEARCH_LIMIT * len(queries)
        body = self.get_answer(
            f"{self.base_url}/search.json",
            params={"q": " OR ".join(clauses), "fields": SEARCH_FIELDS, "limit": limit},
        )
        fields.expect(body, dict, "search answer")
        docs = fields.expect(body.get("docs", []), list, "search docs")
        found = body.get("numFound", body.get("num_found"))
        complete = len(docs) < limit or (isinstance(found, int) and found <= len(docs))
        return group_answer(
            queries, [doc for doc in docs if isinstance(doc, dict)], self.parse_search, complete
        )


def search_terms(value: str) -> str:
    """Words for a Solr field query: lowercased (AND / OR / NOT in a title are words, not
    operators) with Solr's syntax characters escaped, as Open Library escapes `title=`."""
    return _SOLR_SPECIAL.sub(r"\\\1", " ".join(value.casefold().split()))


def search_clause(query: TitleQuery) -> str | None:
    """`(title:(…) AND author:(…))`, what `title=…&author=…` asks; None when the query has no
    title or no author to group by (it is asked alone, as `search` asks it)."""
    title, author = search_terms(query.title), search_terms(query.author)
    if not title or not author:
        return None
    return f"(title:({title}) AND author:({author}))"


def read_search_clauses(q: str) -> list[TitleQuery]:
    """The title + author searches of a grouped `q` as `search_clause` wrote them (lowercased):
    how a server standing in for Open Library (the demo provider) reads one."""
    return [
        TitleQuery(title=_ESCAPED.sub(r"\1", title), author=_ESCAPED.sub(r"\1", author))
        for title, author in _SEARCH_CLAUSE.findall(q)
    ]


def group_answer(
    queries: list[TitleQuery],
    docs: list[dict],
    parse: Callable[[Any], list[Candidate]],
    complete: bool,
) -> dict[str, Any]:
    """A grouped search's docs shared out among its queries, by the cascade's matching: each
    query gets the docs that are confidently its book, in the answer's order (what its own
    search would decide on). A doc that is confidently two different queries' book makes both
    ASK_ALONE (which is theirs, only their own searches can say); so does a query with no doc
    of its own when the answer was cut at its limit (its records may be past it). A query
    with none in a complete answer is "no match", as its own search would be."""
    keys = list(dict.fromkeys(query.key for query in queries))
    shares: dict[str, list[dict]] = {key: [] for key in keys}
    undecided: set[str] = set()
    for doc in docs:
        candidates = parse({"docs": [doc]})
        if not candidates:
            continue
        # As its own search reads it: settled, as every parsed record is (its title too).
        settle.settle_candidate(candidates[0])
        owners = {
            query.key
            for query in queries
            if cascade.is_confident_match(candidates[0], query.title, query.author)
        }
        if len(owners) > 1:
            undecided |= owners
        for key in owners:
            shares[key].append(doc)
    if not complete:
        undecided |= {key for key, share in shares.items() if not share}
    return {
        key: ASK_ALONE if key in undecided else {"numFound": len(share), "docs": share}
        for key, share in shares.items()
    }
