"""Archive.org: `advancedsearch.php` by ISBN or title + creator, and the metadata API by identifier.

Only `texts` items count. Metadata values come bare or as lists. The cover of an item is
`/services/img/{identifier}`. No published limits: the default rate is one request a second.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from catalog import isbn
from enrichment.candidates import Candidate, Contributor, CoverRef, LookupResult
from enrichment.providers import fields
from enrichment.providers.base import Provider, SettingNames, record_url
from enrichment.publication_dates import archive_org_iso_date

SEARCH_FIELDS = (
    "identifier",
    "title",
    "creator",
    "publisher",
    "date",
    "language",
    "isbn",
    "subject",
    "description",
    "mediatype",
    "openlibrary_edition",
    "openlibrary_work",
)
ROWS = 10


def solr_phrase(value: str) -> str:
    """A quoted Lucene phrase: backslashes and quotes escaped, nothing else can break out."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ArchiveOrgProvider(Provider):
    name = "archive_org"
    label = _("Archive.org")
    setting_names = SettingNames(
        url="ARCHIVE_ORG_URL", rate="ARCHIVE_ORG_RATE", daily_budget="ARCHIVE_ORG_DAILY_BUDGET"
    )

    @classmethod
    def book_url(cls, ids: dict[str, str]) -> str:
        return record_url(f"{cls.configured_url()}/details/{{}}", ids, "archive_org")

    def _advanced_search(self, query: str) -> dict:
        params = [("q", query), *[("fl[]", name) for name in SEARCH_FIELDS]]
        params += [("rows", str(ROWS)), ("output", "json")]
        body = self.get_json(f"{self.base_url}/advancedsearch.php", params=params)
        fields.expect(body, dict, "advancedsearch answer")
        response = fields.expect(body.get("response"), dict, "advancedsearch response")
        fields.expect(response.get("docs", []), list, "advancedsearch docs")
        return body

    def fetch_isbns(self, isbns: list[str]) -> dict[str, Any]:
        answers = {}
        for isbn13 in isbns:
            forms = [isbn13, *filter(None, [isbn.isbn13_to_isbn10(isbn13)])]
            query = f"isbn:({' OR '.join(forms)}) AND mediatype:texts"
            answers[isbn13] = self._advanced_search(query)
        return answers

    def parse_isbn(self, isbn13: str, payload: Any) -> list[Candidate]:
        # A doc counts only if its own isbn field carries the asked ISBN, in any spelling.
        docs = payload["response"].get("docs") or []
        candidates = fields.readable_records(docs, self.parse_metadata)
        return [candidate for candidate in candidates if isbn13 in candidate.isbn13]

    def fetch_search(self, *, title: str, author: str) -> Any:
        query = f"title:({solr_phrase(title)}) AND mediatype:texts"
        if author:
            query += f" AND creator:({solr_phrase(author)})"
        return self._advanced_search(query)

    def parse_search(self, payload: Any) -> list[Candidate]:
        return fields.readable_records(payload["response"].get("docs") or [], self.parse_metadata)

    def item(self, identifier: str) -> LookupResult:
        """`/metadata/{identifier}` (e.g. an Open Library edition's `ocaid`); only books count."""

        def fetch():
            # An unknown identifier answers 200 with {}: a 404 is never "no such item" (a wrong
            # base URL, a proxy), so a fault.
            body = self.get_json(f"{self.base_url}/metadata/{identifier}")
            return fields.expect(body, dict, "metadata answer") if body else None

        return self.lookup_one(key=f"item:{identifier}", fetch=fetch, parse=self.parse_item)

    def parse_item(self, body: dict) -> list[Candidate]:
        metadata = fields.expect(body.get("metadata") or {}, dict, "metadata")
        return [self.parse_metadata(metadata)] if metadata.get("mediatype") == "texts" else []

    def parse_metadata(self, doc: dict) -> Candidate:
        """A search doc or an item's `metadata`: the same field names in both."""
        fields.expect(doc, dict, "item metadata")
        identifier = fields.text(doc.get("identifier"))
        isbn13s, isbn10s = fields.isbn_lists(fields.as_list(doc.get("isbn")))
        ids = {
            "archive_org": identifier,
            "openlibrary_edition": fields.first(doc.get("openlibrary_edition")),
            "openlibrary_work": fields.first(doc.get("openlibrary_work")),
        }
        covers = []
        if identifier:
            covers.append(
                CoverRef(
                    provider=self.name,
                    url=f"{self.base_url}/services/img/{identifier}",
                    cover_id=identifier,
                )
            )
        return Candidate(
            provider=self.name,
            provider_ids={key: value for key, value in ids.items() if value},
            isbn13=isbn13s,
            isbn10=isbn10s,
            title=fields.first(doc.get("title")),
            # Archive.org's creators are library headings (`Banks, Iain M.`, `Pepys, Samuel,
            # 1633-1703`): read in order by fields.person_names, `Iain M. Banks`.
            authors=[Contributor(name=name) for name in fields.person_names(doc.get("creator"))],
            publisher=fields.publisher_name(doc.get("publisher")),
            publication_date=archive_org_iso_date(fields.first(doc.get("date"))),
            language=fields.language_code(fields.first(doc.get("language"))),
            description=" ".join(fields.unique(fields.as_list(doc.get("description")))),
            subjects=fields.subjects(fields.as_list(doc.get("subject"))),
            covers=covers,
            source_url=f"{self.base_url}/details/{identifier}" if identifier else "",
        )
