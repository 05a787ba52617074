"""Merging several providers' candidates for one book, field by field: pure functions.

Precedence (after calibre's metadata-source merge, adapted to filling a catalog):

| field                  | rule                                                        |
|------------------------|-------------------------------------------------------------|
| description            | the longest (HTML, Markdown read as text, line breaks kept) |
| publisher              | the shortest non-empty ("Penguin" over "Penguin Books Ltd") |
| publication date       | the earliest year, then the most precise date of that year  |
| first published year   | the earliest                                                |
| subjects               | the union, in provider order, without case duplicates       |
| authors                | the first provider's list that names any                   |
| identifiers            | each from its own provider                                  |
| series, its number     | the first that names a series, its number from that record  |
| title                  | the first; proposed only in place of an empty or placeholder |
| written in capitals    | another provider's same words in their case, if one has them |
| everything else        | the first non-empty value in provider order                 |

An edition's ISBN-13 is not merged: only the record of our own edition gives it (the engine
adds it, see `matching.isbn13_of_our_edition`).

Provider order is `ENRICHMENT_PROVIDERS` (local dump, Open Library, Google Books, ISBNdb, ...).
Every chosen value records its source and the other providers that gave the same value.
"""

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import strip_tags

from enrichment.candidates import Candidate, Contributor, CoverRef
from enrichment.languages import language_code

MAX_SUBJECTS = 25

#: field name -> (model it belongs to, model field)
FIELDS = {
    "title": ("work", "title"),
    "subtitle": ("work", "subtitle"),
    "series": ("work", "series"),
    "series_number": ("work", "series_number"),
    "description": ("work", "description"),
    "first_published_year": ("work", "first_published_year"),
    "subjects": ("work", "subjects"),
    "openlibrary_work_key": ("work", "openlibrary_work_key"),
    "publisher": ("edition", "publisher"),
    "publication_date": ("edition", "publication_date"),
    "page_count": ("edition", "page_count"),
    "language": ("edition", "language"),
    "format": ("edition", "format"),
    "isbn13": ("edition", "isbn13"),
    "openlibrary_edition_key": ("edition", "openlibrary_edition_key"),
    "google_books_id": ("edition", "google_books_id"),
}
#: An author's fields (enrichment requests for authors): field name -> ("author", model field).
#: Names differ from the books' so one mapping (ALL_FIELDS) places any proposed field.
AUTHOR_FIELDS = {
    "short_description": ("author", "short_description"),
    "bio": ("author", "bio"),
    "bio_source": ("author", "bio_source"),
    "birth_year": ("author", "birth_year"),
    "birth_date": ("author", "birth_date"),
    "death_year": ("author", "death_year"),
    "death_date": ("author", "death_date"),
    "gender": ("author", "gender"),
    "nationality": ("author", "nationality"),
    "openlibrary_key": ("author", "openlibrary_key"),
    "wikidata_id": ("author", "wikidata_id"),
    "goodreads_author_id": ("author", "goodreads_author_id"),
    "viaf_id": ("author", "viaf_id"),
    "isni": ("author", "isni"),
}
ALL_FIELDS = {**FIELDS, **AUTHOR_FIELDS}
#: Fields a provider may fill but never propose to change: a work's title is the catalog's own
#: (a provider's spelling of it is no improvement), unless it is only a placeholder.
FILL_ONLY_FIELDS = frozenset({"title"})


@dataclass(slots=True)
class MergedValue:
    value: Any
    source: str
    agree: list[str] = field(default_factory=list)  # other providers with the same value


@dataclass(slots=True)
class MergedRecord:
    fields: dict[str, MergedValue] = field(default_factory=dict)
    authors: list[Contributor] = field(default_factory=list)
    authors_source: str = ""
    covers: list[CoverRef] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)

    def contributors(self) -> dict[str, list[str]]:
        """Which providers contributed each field (the chosen source first)."""
        return {name: [v.source, *v.agree] for name, v in self.fields.items()}


def normalize_language(code: str) -> str:
    """A candidate's language as the catalog stores it (the providers' one rule, cut to the
    column: a provider's own code is kept as given)."""
    return language_code(code)[:16]


# Tags that end a line or a paragraph in a provider's HTML (Google Books' detail answers write
# paragraphs as "<br><br>"); without them the text runs on: "planet.Who will inherit...".
_LINE_BREAK_TAGS = re.compile(r"<\s*(?:br|/?p|/?div|/?li|/?h[1-6]|/?blockquote)\b[^>]*>", re.I)
_SPACES_BEFORE_BREAK = re.compile(r"[ \t\r\f\v]+\n")
# Open Library writes descriptions and bios in Markdown: a link "[text](https://…)" (kept as
# "text (https://…)"), emphasis "**bold**" / "*italic*" around text, a quotation's "> " and a
# rule's "----------" at the start of a line.
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
# A reference link, "[Source][1]", whose address a line of its own gives ("[1]: https://…
# "title""), as George Orwell's and William Pinder Eversley's bios write them.
_MARKDOWN_REFERENCE = re.compile(r"\[([^\]\n]+)\]\[([^\]\n]*)\]")
_MARKDOWN_REFERENCE_ADDRESS = re.compile(
    r"^[ \t]*(?:>[ \t]?)?\[([^\]\n]+)\]:[ \t]*<?(https?://[^\s>]+)>?"
    r"(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*$",
    re.MULTILINE,
)
# "*italic*", "**bold**", and "_italic_" outside a word or an address ("Eversley,_William_P…").
_MARKDOWN_EMPHASIS = re.compile(
    r"(\*{1,2})(?=\S)([^*\n]+?)(?<=\S)\1|(?<![\w/])(_)(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![\w/])"
)
# Markdown's autolink "<https://…>": its address is its text (strip_tags would drop it whole).
_MARKDOWN_AUTOLINK = re.compile(r"<(https?://[^\s<>]+)>")
# Characters that show nothing: zero-width spaces and joiners, the word joiner, a stray BOM.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")
_MARKDOWN_LINE_MARK = re.compile(r"^(?:>[ \t]?|-{3,}[ \t]*$)", re.MULTILINE)
# An inline tag's name left glued to the end of a sentence by markup cut badly (Google Books'
# Children of Time, HTML and plain text alike: "…who are the true heirs of this new Earth?span"),
# with what is left of its "</" and ">": no word follows a sentence's end without a space.
_TAG_NAME_AFTER_SENTENCE = re.compile(
    r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’»)]))(?:<?/)?(?:span|div|font|strong|em|b|i|u|p|br)>?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


def clean_description(value: str) -> str:
    """A provider's description (plain text, HTML or Markdown) as plain text: its markup
    dropped (and a tag's name left glued to a sentence's end), its entities read ("&amp;" ->
    "&"), a link's address kept after its text, each line or paragraph break kept, at most one
    blank line."""
    text = _MARKDOWN_AUTOLINK.sub(r"\1", _INVISIBLE.sub("", value or ""))
    text = strip_tags(_LINE_BREAK_TAGS.sub("\n", text))
    text = _SPACES_BEFORE_BREAK.sub("\n", html.unescape(text).replace("\r\n", "\n"))
    text = _MARKDOWN_LINK.sub(
        lambda link: link[2] if link[1] == link[2] else f"{link[1]} ({link[2]})", text
    )
    text = _reference_links_resolved(text)
    text = _MARKDOWN_EMPHASIS.sub(lambda emphasis: emphasis[2] or emphasis[4], text)
    text = _TAG_NAME_AFTER_SENTENCE.sub("", _MARKDOWN_LINE_MARK.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _reference_links_resolved(text: str) -> str:
    """Markdown's reference links as "text (https://…)", their address lines dropped; a
    reference no line gives an address for is left as written."""
    addresses = {
        label.casefold(): address for label, address in _MARKDOWN_REFERENCE_ADDRESS.findall(text)
    }
    if not addresses:
        return text

    def link(reference: re.Match) -> str:
        address = addresses.get((reference[2] or reference[1]).casefold())
        return f"{reference[1]} ({address})" if address else reference[0]

    return _MARKDOWN_REFERENCE.sub(link, _MARKDOWN_REFERENCE_ADDRESS.sub("", text))


def _year(date: str) -> int | None:
    match = re.match(r"^(\d{4})", date or "")
    return int(match.group(1)) if match else None


def _values(
    candidates: Sequence[Candidate], get: Callable[[Candidate], Any]
) -> list[tuple[Any, str]]:
    out = []
    for candidate in candidates:
        value = get(candidate)
        if value not in ("", None, [], 0):
            out.append((value, candidate.provider))
    return out


def _pick(
    name: str, values: list[tuple[Any, str]], choose: Callable | None = None
) -> MergedValue | None:
    if not values:
        return None
    value, source = choose(values) if choose else values[0]
    key = field_compare_key(name, value)
    agree = [p for v, p in values if p != source and field_compare_key(name, v) == key]
    return MergedValue(value=value, source=source, agree=sorted(set(agree)))


def compare_key(value: Any):
    if isinstance(value, str):
        return re.sub(r"\W+", "", value.casefold())
    if isinstance(value, list):
        return tuple(sorted(str(v).casefold() for v in value))
    return value


def field_compare_key(name: str, value: Any):
    """How one field's values are compared (the catalog's with a provider's, two providers'): a
    language by its language subtag, as Google Books tags a Brazilian edition "pt-BR" where the
    catalog or Open Library says "pt", the same language; anything else by `compare_key`."""
    if name == "language" and isinstance(value, str):
        return compare_key(re.split(r"[-_]", value, maxsplit=1)[0])
    return compare_key(value)


def in_capitals(value: str) -> bool:
    """Whether a text is written all in capitals ("THE WAR OF THE RING", ISBNdb's and older
    catalogues' habit): its case says nothing of how the name is written."""
    return value.isupper() and sum(c.isalpha() for c in value) > 3


def as_written(values: list[tuple[Any, str]], chosen: tuple[Any, str]) -> tuple[Any, str]:
    """`chosen` (a value and its provider), or the first of the same words (`compare_key`) not
    written all in capitals, when `chosen` is (`in_capitals`): "The War of the Ring" over "THE
    WAR OF THE RING". Never a title-casing of ours: only a provider's own spelling is proposed
    (an acronym or a particle's case is not ours to guess)."""
    value = chosen[0]
    if not isinstance(value, str) or not in_capitals(value):
        return chosen
    key = compare_key(value)
    return next(
        (entry for entry in values if not in_capitals(entry[0]) and compare_key(entry[0]) == key),
        chosen,
    )


def _first_as_written(values):
    return as_written(values, values[0])


def _shortest_as_written(values):
    return as_written(values, min(values, key=lambda v: len(v[0])))


def _earliest_date(values):
    # The earliest year; within it, the most precise date ("2015-06-01" over "2015").
    return min(values, key=lambda vs: (_year(vs[0]) or 9999, -len(vs[0])))


def merge_candidates(
    candidates: Sequence[Candidate], *, provider_order: Sequence[str] = ()
) -> MergedRecord:
    """Combine candidates that describe the same book (already matched) into one record."""
    rank = {name: i for i, name in enumerate(provider_order)}
    ordered = sorted(candidates, key=lambda c: rank.get(c.provider, len(rank)))
    record = MergedRecord(providers=list(dict.fromkeys(c.provider for c in ordered)))
    rules: dict[str, tuple[Callable[[Candidate], Any], Callable | None]] = {
        "title": (lambda c: c.title.strip(), _first_as_written),
        "subtitle": (lambda c: c.subtitle.strip(), _first_as_written),
        "description": (
            lambda c: clean_description(c.description),
            lambda vs: max(vs, key=lambda v: len(v[0])),
        ),
        "first_published_year": (
            lambda c: c.first_published_year,
            lambda vs: min(vs, key=lambda v: v[0]),
        ),
        "publisher": (lambda c: c.publisher.strip(), _shortest_as_written),
        "publication_date": (lambda c: c.publication_date if _year(c.publication_date) else "",
                             _earliest_date),
        "page_count": (lambda c: c.page_count if c.page_count and c.page_count > 0 else None,
                       None),
        "language": (lambda c: normalize_language(c.language), None),
        "format": (lambda c: c.format, None),
        "openlibrary_work_key": (lambda c: c.provider_ids.get("openlibrary_work", ""), None),
        "openlibrary_edition_key": (
            lambda c: c.provider_ids.get("openlibrary_edition", ""),
            None,
        ),
        "google_books_id": (lambda c: c.provider_ids.get("google_books", ""), None),
    }  # fmt: skip
    for name, (get, choose) in rules.items():
        merged = _pick(name, _values(ordered, get), choose)
        if merged is not None:
            record.fields[name] = merged

    _merge_series(ordered, record)

    subjects: list[str] = []
    seen: set[str] = set()
    sources: list[str] = []
    for candidate in ordered:
        for subject in candidate.subjects:
            key = subject.strip().casefold()
            if key and key not in seen and len(subjects) < MAX_SUBJECTS:
                seen.add(key)
                subjects.append(subject.strip())
                if candidate.provider not in sources:
                    sources.append(candidate.provider)
    if subjects:
        record.fields["subjects"] = MergedValue(subjects, sources[0], sources[1:])

    for candidate in ordered:
        if candidate.authors:
            record.authors, record.authors_source = list(candidate.authors), candidate.provider
            break
    record.covers = [cover for candidate in ordered for cover in candidate.covers]
    return record


def _merge_series(ordered: Sequence[Candidate], record: MergedRecord) -> None:
    """The series of the first record that names one (a subtitle's series statement:
    providers.settle.series_from_subtitle), and its number from that same record: a number
    means nothing in another record's series. Records naming the same series agree."""
    named = [(c.series.strip(), c.series_number.strip(), c.provider) for c in ordered]
    named = [entry for entry in named if entry[0]]
    if not named:
        return
    series, number, source = named[0]
    in_it = [entry for entry in named if compare_key(entry[0]) == compare_key(series)]
    # Its spelling may be another record's (`as_written`); its number stays this record's.
    written, written_by = as_written([(name, p) for name, _, p in in_it], (series, source))
    record.fields["series"] = MergedValue(
        written, written_by, sorted({p for _, _, p in in_it if p != written_by})
    )
    if number:
        agree = {p for _, n, p in in_it if p != source and compare_key(n) == compare_key(number)}
        record.fields["series_number"] = MergedValue(number, source, sorted(agree))


# --- Completeness and proposals ---------------------------------------------------------------

#: What a complete record has, and how much each counts (sums to 100).
COMPLETENESS_WEIGHTS = {
    "cover": 25,
    "description": 15,
    "authors": 15,
    "first_published_year": 10,
    "subjects": 10,
    "publisher": 10,
    "page_count": 5,
    "language": 5,
    "publication_date": 5,
}


#: An author's: "ids" is an Open Library or Wikidata id (what links them to everything else).
AUTHOR_COMPLETENESS_WEIGHTS = {
    "bio": 25,
    "ids": 25,
    "birth_year": 15,
    "photo": 15,
    "short_description": 10,
    "nationality": 10,
}


def completeness(values: dict[str, Any], weights: dict[str, int] = COMPLETENESS_WEIGHTS) -> int:
    """0–100: the weighted share of the key fields that hold a value."""
    return sum(w for name, w in weights.items() if values.get(name) not in ("", None, [], 0, False))


PLACEHOLDER = "placeholder"


def placeholder(text: str) -> dict[str, str]:
    """A value that only stands in for the real one (the Open Library key a key-only reading log
    gave as a title). It counts as empty; it is kept, marked, so the audit log can put it back."""
    return {PLACEHOLDER: text}


def is_placeholder(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {PLACEHOLDER}


def is_empty(value: Any) -> bool:
    """Whether a catalog field holds nothing a provider's value would overwrite."""
    return value in ("", None, []) or is_placeholder(value)
