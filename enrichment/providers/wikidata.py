"""Wikidata (SPARQL): genres (P136), main subjects (P921) and authors (P50) for a batch of ISBNs.

Wikidata stores ISBNs hyphenated (P212 ISBN-13, P957 ISBN-10), usually on an edition item that
points to its work through P629; the hyphens follow the ISBN range table, which python-stdnum
carries and updates with each release. No title search: that is the other providers' job.

People (for author enrichment) are found by their Open Library or Goodreads author id or by a
label, many in one query, and their photos' licences asked from Wikimedia Commons: the queries
and parsing are in enrichment.providers.wikidata_authors; the requests go through this client,
so they share its rate limit, budget and cache.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _
from stdnum import isbn as stdnum_isbn

from catalog import isbn
from enrichment.author_candidates import AuthorCandidate, PhotoLicence
from enrichment.candidates import Candidate, Contributor, LookupResult, LookupStatus
from enrichment.providers import cache, fields, wikidata_authors
from enrichment.providers.base import Provider, SettingNames, record_url
from enrichment.providers.wikidata_authors import LabelQuery

#: ISBNs per SPARQL query: two VALUES blocks this long stay far below the 60 s query limit.
BATCH_SIZE = 50
LABEL_LANGUAGES = "en,mul"
QUERY = """
SELECT ?isbn ?item ?work ?workLabel ?author ?authorLabel ?genre ?genreLabel ?subject ?subjectLabel
WHERE {
  { VALUES ?isbn { %(isbn13s)s } ?item wdt:P212 ?isbn . }
  UNION
  { VALUES ?isbn { %(isbn10s)s } ?item wdt:P957 ?isbn . }
  OPTIONAL { ?item wdt:P629 ?editionOf . }
  BIND(COALESCE(?editionOf, ?item) AS ?work)
  OPTIONAL { ?work wdt:P50 ?author . }
  OPTIONAL { ?work wdt:P136 ?genre . }
  OPTIONAL { ?work wdt:P921 ?subject . }
  SERVICE wikibase:label { bd:serviceParam wikibase:language "%(languages)s" . }
}
"""


def hyphenated(isbn13: str) -> tuple[str, str | None]:
    """ISBN-13 -> (hyphenated ISBN-13, hyphenated ISBN-10 or None for 979-)."""
    isbn10 = isbn.isbn13_to_isbn10(isbn13)
    return stdnum_isbn.format(isbn13), stdnum_isbn.format(isbn10) if isbn10 else None


def build_query(isbn13s: list[str]) -> str:
    forms = [hyphenated(isbn13) for isbn13 in isbn13s]
    # An empty VALUES block is valid SPARQL and matches nothing.
    return QUERY % {
        "isbn13s": " ".join(f'"{form13}"' for form13, _ in forms),
        "isbn10s": " ".join(f'"{form10}"' for _, form10 in forms if form10),
        "languages": LABEL_LANGUAGES,
    }


def entity_id(uri: str) -> str:
    """ "http://www.wikidata.org/entity/Q42" -> "Q42"."""
    return uri.rsplit("/", 1)[-1] if uri else ""


def _value(row: dict, var: str) -> str:
    return fields.text((row.get(var) or {}).get("value"))


def _label(row: dict, var: str) -> str:
    """The label service answers the bare id when an item has no label in our languages."""
    label = _value(row, f"{var}Label")
    return "" if label == entity_id(_value(row, var)) else label


class WikidataProvider(Provider):
    name = "wikidata"
    label = _("Wikidata")
    supports_search = False
    supports_covers = False
    fixed_batch_size = BATCH_SIZE
    setting_names = SettingNames(
        url="WIKIDATA_SPARQL_URL",
        covers_url="WIKIMEDIA_COMMONS_URL",  # where its images (P18) are, and their licences
        rate="WIKIDATA_RATE",
        daily_budget="WIKIDATA_DAILY_BUDGET",
        max_in_flight="WIKIDATA_MAX_IN_FLIGHT",
    )

    @classmethod
    def book_url(cls, ids: dict[str, str]) -> str:
        return record_url("https://www.wikidata.org/wiki/{}", ids, "wikidata")

    def sparql(self, query: str) -> Any:
        """One SPARQL query's JSON answer."""
        return self.request_json(
            "POST",
            self.setting("url"),  # the endpoint itself, as configured
            params={"format": "json"},
            data={"query": query},  # POST: a batch's query is too long for a URL
            headers={"Accept": "application/sparql-results+json"},
        )

    def fetch_isbns(self, isbns: list[str]) -> dict[str, Any]:
        body = self.sparql(build_query(isbns))
        fields.expect(body, dict, "SPARQL answer")
        bindings = fields.expect((body.get("results") or {}).get("bindings"), list, "bindings")
        rows: dict[str, list[dict]] = defaultdict(list)
        for row in bindings:
            isbn13 = isbn.to_isbn13(_value(row, "isbn"))
            if isbn13 in isbns:
                rows[isbn13].append(row)
        return dict(rows)

    def parse_isbn(self, isbn13: str, payload: Any) -> list[Candidate]:
        """One Candidate per work the ISBN leads to (one, nearly always)."""
        rows_by_work: dict[str, list[dict]] = defaultdict(list)
        for row in fields.expect(payload, list, "rows"):
            rows_by_work[entity_id(_value(row, "work"))].append(row)
        parsed = isbn.parse_isbn(isbn13)
        candidates = []
        for work_id, rows in rows_by_work.items():
            authors = {
                entity_id(_value(r, "author")): name
                for r in rows
                if (name := fields.person_name(_label(r, "author")))
            }
            item_id = entity_id(_value(rows[0], "item"))
            ids = {"wikidata": work_id}
            if item_id != work_id:
                ids["wikidata_edition"] = item_id
            candidates.append(
                Candidate(
                    provider=self.name,
                    provider_ids=ids,
                    isbn13=[isbn13],
                    isbn10=[parsed.isbn10] if parsed and parsed.isbn10 else [],
                    title=next((_label(r, "work") for r in rows if _label(r, "work")), ""),
                    authors=[
                        Contributor(name=name, provider_id=qid) for qid, name in authors.items()
                    ],
                    subjects=fields.subjects(
                        [_label(r, "genre") for r in rows] + [_label(r, "subject") for r in rows]
                    ),
                    source_url=f"https://www.wikidata.org/wiki/{work_id}",
                )
            )
        return candidates

    # --- people, for author enrichment (enrichment.providers.wikidata_authors) --------------------

    def authors_by_openlibrary_id(
        self, author_ids: Iterable[str]
    ) -> dict[str, LookupResult[AuthorCandidate]]:
        """Open Library author ids (P648) -> the people holding them, keyed by the id asked:
        BATCH_SIZE ids a query. An id that is not one is answered NOT_FOUND without a query."""
        return self._people_by_id("openlibrary", "openlibrary_author", author_ids)

    def authors_by_goodreads_id(
        self, author_ids: Iterable[str]
    ) -> dict[str, LookupResult[AuthorCandidate]]:
        """Goodreads author ids (P2963) -> the people holding them, keyed by the id asked."""
        return self._people_by_id("goodreads", "goodreads_author", author_ids)

    def _people_by_id(
        self, kind: str, id_kind: str, raw_ids: Iterable[str]
    ) -> dict[str, LookupResult[AuthorCandidate]]:
        results: dict[str, LookupResult[AuthorCandidate]] = {}
        wanted: dict[str, None] = {}
        for raw in raw_ids:
            if author_id := fields.author_id(id_kind, raw):
                wanted[author_id] = None
            else:
                results[str(raw)] = self._result(
                    str(raw), LookupStatus.NOT_FOUND, error=f"not a {id_kind} id"
                )
        prefix = f"wikidata-{kind}:"

        def fetch(keys: list[str]) -> dict[str, Any]:
            asked = [key.removeprefix(prefix) for key in keys]
            rows = wikidata_authors.rows_by_asked(
                self.sparql(wikidata_authors.build_query(kind, asked)), asked
            )
            return {prefix + value: value_rows for value, value_rows in rows.items()}

        found = self.lookup_keys(
            [prefix + author_id for author_id in wanted],
            fetch=fetch,
            parser=lambda key: self._parse_people,
            batch_size=wikidata_authors.BATCH_SIZE,
        )
        results.update({author_id: found[prefix + author_id] for author_id in wanted})
        return results

    def _parse_people(self, rows: Any) -> list[AuthorCandidate]:
        return wikidata_authors.people(
            rows, provider=self.name, commons_url=self.configured_url("covers_url")
        )

    def authors_by_label(
        self, queries: Sequence[LabelQuery]
    ) -> dict[str, LookupResult[AuthorCandidate]]:
        """People whose label or alias is exactly a name (humans only), checked against the
        birth and death years the query knows; keyed by `LabelQuery.key`. BATCH_SIZE names a query.
        A name is never enough to apply anything: matching needs a work in common."""
        by_key = {query.key: query for query in queries if wikidata_authors.clean_name(query.name)}
        results: dict[str, LookupResult[AuthorCandidate]] = {
            query.key: self._result(query.key, LookupStatus.NOT_FOUND, error="no name to search")
            for query in queries
            if query.key not in by_key
        }

        def fetch(keys: list[str]) -> dict[str, Any]:
            names = list(dict.fromkeys(wikidata_authors.clean_name(by_key[k].name) for k in keys))
            rows = wikidata_authors.rows_by_asked(
                self.sparql(wikidata_authors.build_query("label", names)), names
            )
            return {
                key: rows[name]
                for key in keys
                if (name := wikidata_authors.clean_name(by_key[key].name)) in rows
            }

        def parser(key: str) -> Callable[[Any], list[AuthorCandidate]]:
            asked = by_key[key]
            return lambda rows: wikidata_authors.check_life_years(
                self._parse_people(rows),
                asked.birth_year,
                asked.death_year,
                birth_year_approximate=asked.birth_year_approximate,
                death_year_approximate=asked.death_year_approximate,
            )

        results.update(
            self.lookup_keys(
                list(by_key), fetch=fetch, parser=parser, batch_size=wikidata_authors.BATCH_SIZE
            )
        )
        return results

    # --- Wikimedia Commons: photo licences --------------------------------------------------------

    def photo_licences(self, file_names: Iterable[str]) -> dict[str, LookupResult[PhotoLicence]]:
        """Commons file names -> what Commons says of each (the original's URL, the licence,
        the attribution), by file name: COMMONS_BATCH_SIZE files a request, cached. A file
        Commons does not have is NOT_FOUND."""
        by_key = {cache.fit_key(f"commons-file:{name}"): name for name in file_names if name}
        commons_api = f"{self.configured_url('covers_url')}/w/api.php"

        def fetch(keys: list[str]) -> dict[str, Any]:
            names = [by_key[key] for key in keys]
            body = self.get_json(
                commons_api,
                params={
                    "action": "query",
                    "format": "json",
                    "formatversion": "2",
                    "prop": "imageinfo",
                    "iiprop": "url|size|extmetadata",  # size: a group photo is refused unfetched
                    "iiextmetadatafilter": "LicenseShortName|LicenseUrl|UsageTerms|Artist",
                    "titles": "|".join(f"File:{name}" for name in names),
                },
            )
            pages = wikidata_authors.commons_pages_by_file(body, names)
            return {key: pages[by_key[key]] for key in keys if by_key[key] in pages}

        def parser(key: str) -> Callable[[Any], list[PhotoLicence]]:
            return lambda page: [wikidata_authors.photo_licence(by_key[key], page)]

        found = self.lookup_keys(
            list(by_key), fetch=fetch, parser=parser, batch_size=wikidata_authors.COMMONS_BATCH_SIZE
        )
        return {name: found[key] for key, name in by_key.items()}

    def add_photo_licences(self, candidates: list[AuthorCandidate]) -> list[AuthorCandidate]:
        """The optional second step: the licence of every Commons photo of these candidates,
        asked in as few requests as the batch allows. A photo whose licence could not be
        asked (a fault, Commons does not know it) keeps "licence unknown"."""
        file_names = [
            photo.photo_id
            for candidate in candidates
            for photo in candidate.photos
            if photo.provider == self.name and not photo.licence
        ]
        results = self.photo_licences(dict.fromkeys(file_names))
        licences = {
            name: result.candidates[0]
            for name, result in results.items()
            if result.status == LookupStatus.FOUND
        }
        return [wikidata_authors.with_photo_licences(c, licences) for c in candidates]
