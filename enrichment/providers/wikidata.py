"""Wikidata (SPARQL): genres (P136), main subjects (P921) and authors (P50) for a batch of ISBNs.

Wikidata stores ISBNs hyphenated (P212 ISBN-13, P957 ISBN-10), usually on an edition item that
points to its work through P629; the hyphens follow the ISBN range table, which python-stdnum
carries and updates with each release. No title search: that is the other providers' job.
"""

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext_lazy as _
from stdnum import isbn as stdnum_isbn

from catalog import isbn
from enrichment.candidates import Candidate, Contributor
from enrichment.providers import fields
from enrichment.providers.base import Provider, SettingNames, record_url

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
        rate="WIKIDATA_RATE",
        daily_budget="WIKIDATA_DAILY_BUDGET",
        max_in_flight="WIKIDATA_MAX_IN_FLIGHT",
    )

    @classmethod
    def book_url(cls, ids: dict[str, str]) -> str:
        return record_url("https://www.wikidata.org/wiki/{}", ids, "wikidata")

    def fetch_isbns(self, isbns: list[str]) -> dict[str, Any]:
        body = self.request_json(
            "POST",
            self.setting("url"),  # the endpoint itself, as configured
            params={"format": "json"},
            data={"query": build_query(isbns)},  # POST: a batch's query is too long for a URL
            headers={"Accept": "application/sparql-results+json"},
        )
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
                entity_id(_value(r, "author")): _label(r, "author")
                for r in rows
                if _label(r, "author")
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
                    subjects=fields.unique(
                        [_label(r, "genre") for r in rows] + [_label(r, "subject") for r in rows]
                    ),
                    source_url=f"https://www.wikidata.org/wiki/{work_id}",
                )
            )
        return candidates
