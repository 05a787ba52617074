"""The fields of an Open Library edition that a library catalogue's record (MARC) wrote, as
catalogue text: `series` (490: "Idées ; 348", "The Library of America -- 292", or the name
and its number as two entries) and `contributions` (700: "Parks, Tim, translator", "Aruego,
Jose, ill."); its `pagination` (300) is read by `fields.extent_pages`. Pure functions on the
record's values.

`catalogue_fields` is the one reader of them, with the authors the statement of responsibility
(`by_statement`) names, the credited `contributors`, the page count and the publisher with its
place: the online client reads an edition record and a Books API record with it, and the local
dump's provider the same fields of the same record, kept by the dump's loader."""

import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from catalog.importers.cells import parse_series_cell
from catalog.text import normalize_text
from enrichment.candidates import Contributor
from enrichment.providers import fields

#: Contributor roles as Open Library spells them -> WorkAuthor.Role values.
ROLES = {
    "translator": "translator",
    "translation": "translator",
    "narrator": "narrator",
    "reader": "narrator",
    "illustrator": "illustrator",
    "illustrations": "illustrator",
    "cover art": "illustrator",
    "editor": "editor",
}

#: The fields of an edition record `catalogue_fields` reads, besides `publishers`: what the dump's
#: loader keeps of each edition for it (enrichment.dump.reader).
CATALOGUE_KEYS = (
    *("series", "contributions", "contributors", "pagination", "publish_places"),
    "by_statement",
)


class CatalogueFields(NamedTuple):
    # The record's authors its statement names (`stated_authors`), then the people it credits.
    people: list[Contributor]
    series: str
    series_number: str
    page_count: int | None
    publisher: str


def catalogue_fields(
    record: Mapping[str, Any], authors: Iterable[Contributor] = ()
) -> CatalogueFields:
    """What an edition record proposes from its catalogue text, the same from the online
    record, the Books API's and the dump's: of its `authors` (named by key in the record, so
    looked up by the caller) those its statement of responsibility names, then the people its
    `contributors` and `contributions` credit, its first series and number, its page count
    (`number_of_pages`, else its `pagination`) and its publisher (the record's places read off
    it)."""
    credits = [
        Contributor(name=name, role=contributor_role(fields.text(c.get("role"))))
        for c in fields.as_list(record.get("contributors"))
        if isinstance(c, dict) and (name := fields.person_name(c.get("name")))
    ]
    credits += filter(
        None, (contribution(c, ROLES) for c in fields.as_list(record.get("contributions")))
    )
    series, series_number = edition_series(record.get("series"))
    return CatalogueFields(
        people=fields.unique_people(
            [*stated_authors(list(authors), record.get("by_statement")), *credits]
        ),
        series=series,
        series_number=series_number,
        page_count=fields.positive_int(record.get("number_of_pages"))
        or fields.extent_pages(record.get("pagination")),
        publisher=fields.publisher_name(
            record.get("publishers"), places=fields.as_list(record.get("publish_places"))
        ),
    )


def contributor_role(role: str) -> str:
    lowered = role.casefold()
    for word, value in ROLES.items():
        if word in lowered:
            return value
    return "contributor"


# --- the statement of responsibility ---------------------------------------------------------

# A statement that says it names only some of the people: "John F. Canny ... [et al.]".
_NAMES_ONLY_SOME = re.compile(r"\bet al\b|\band others\b|\.\.\.|…", re.IGNORECASE)


def stated_authors(authors: list[Contributor], by_statement: Any) -> list[Contributor]:
    """The record's authors that its statement of responsibility (MARC 245 $c, Open Library's
    `by_statement`) names, when it names any of them: Open Library lists people who did not
    write the book among an edition's authors (Wyrd Sisters' "by Terry Pratchett." beside Joanne
    Harris, Stephen Briggs and Celia Imrie). All of them when there is
    no statement, when it names none of them (a name in another spelling or script), or when
    it says it names only some ("[et al.]")."""
    written = fields.text(by_statement)
    statement = normalize_text(written)
    if not statement or _NAMES_ONLY_SOME.search(written):
        return authors
    words, joined = set(statement.split()), statement.replace(" ", "")

    def named(person: Contributor) -> bool:
        parts = normalize_text(person.name).split()
        return bool(parts) and (parts[-1] in words or "".join(parts) in joined)

    stated = [person for person in authors if named(person)]
    return stated or authors


# --- series -----------------------------------------------------------------------------------

# A book's number in a series, as a catalogue writes it after the name or as the series' second
# entry: "42", "vol. 1", "nr. 151", a publisher's own numbering ("AA113", Heyne's "Bd. 06/4400").
_NUMBER_ENTRY = re.compile(
    r"(?:(?:vol|no|nr|bd|band|t|tome)\.?\s*)?(?P<number>[\w/.-]{0,15}\d[\w/-]{0,15}?)\.?",
    re.IGNORECASE,
)
# ISBD's " -- " before a series' number, as Open Library writes a 490's $v.
_DASHES = re.compile(r"\s+--\s+")


# A Russian series statement, romanised by ALA-LC (`Serii︠a︡ "Russkie filosofy XX veka"`, the
# ligature's halves U+FE20/U+FE21 or the tie U+0361), more simply ("Seriya", "Seriia") or in
# Cyrillic (`Серия «…»`): the word "series" and the quotation marks around the name are no part
# of it; a number after them is the book's.
_RUSSIAN_SERIES_WORD = re.compile(
    r"^(?:seri(?:i[\u0361\ufe20]?a\ufe21?|ya|ja)|серия)[\s:.]*"
    r"(?:\"(?P<straight>[^\"]+)\"|«(?P<guillemets>[^«»]+)»|[“„](?P<curly>[^“”„]+)[”“])",
    re.IGNORECASE,
)


def _without_series_word(entry: str) -> str:
    """`Serii︠a︡ "Name" ; 3` -> `Name ; 3` (`_RUSSIAN_SERIES_WORD`); any other entry as written."""
    if entry[:1] not in "SsСс":  # nearly every entry: no regex pass
        return entry
    match = _RUSSIAN_SERIES_WORD.match(entry)
    if match is None:
        return entry
    name = next(part for part in match.groups() if part).strip()
    return name + entry[match.end() :]


def edition_series(values: Any) -> tuple[str, str]:
    """(name, number) of the first series an edition names, read by the importers' rule for a
    series cell (`parse_series_cell`): "Idées ; 348" and "Collection Idées -- 48" are numbered,
    ["Arbeiten und Texte zur Slavistik,", "42"] is one series and its number in two entries,
    as is ["Ann Arbor paperbacks,", "AA113"]; "Heyne science fiction & fantasy ; Bd. 06/4400" is
    Heyne's numbering; a name alone has no number ("World's classics"), unless a later entry
    names the same series with one (["X", "X ; 3"]: a catalogue's 490 and its 830), or its full
    name (["Resources for parenting", "Johnson Institute resources for parenting."]); a Russian
    statement is the quoted name (`_without_series_word`). ("", "") when it names none."""
    entries = [
        _without_series_word(entry)
        for value in fields.as_list(values)
        if (entry := fields.text(value))
    ]
    if not entries:
        return "", ""
    name, number = _entry_series(entries, 0)
    if not name or not any(c.isalpha() for c in name):
        return "", ""
    later = [_entry_series(entries, index) for index in range(1, len(entries))]
    if not number:
        number = next((n for later_name, n in later if n and _same_series(later_name, name)), "")
    # The catalogue's authorised form may name the series in full, its body in front
    # (["Resources for parenting", "Johnson Institute resources for parenting."]): that full
    # name is the series' (and says whose list it is: settle.is_publishers_series).
    words = _series_words(name)
    fuller = next(
        (later_name for later_name, _ in later if _series_words(later_name).endswith(f" {words}")),
        "",
    )
    return fuller or name, number


def _entry_series(entries: list[str], index: int) -> tuple[str, str]:
    """(name, number) of the entry at `index`, with its number when the next entry is only
    that ("Arbeiten und Texte zur Slavistik,", "42")."""
    entry = entries[index]
    if index + 1 < len(entries) and _NUMBER_ENTRY.fullmatch(entries[index + 1]):
        entry = f"{entry.rstrip(' ,;.')} ; {entries[index + 1]}"
    written = fields.heading_text(_DASHES.sub(" ; ", entry))
    name, number = parse_series_cell(written)
    head, separator, tail = written.rpartition(" ; ")
    if not number and separator and (numbered := _NUMBER_ENTRY.fullmatch(tail.strip())):
        name, number = head, numbered["number"]  # a number no series cell writes: "Bd. 06/4400"
    return name.rstrip(" ,;:/"), number


def _same_series(one: str, other: str) -> bool:
    """Whether two entries name one series: the same words, a leading "The" aside ("The
    Library of America", "Library of America")."""
    return _series_words(one) == _series_words(other)


def _series_words(name: str) -> str:
    words = normalize_text(name)
    return words.removeprefix("the ") if words.startswith("the ") else words


# --- contributions ----------------------------------------------------------------------------

# The relator a heading writes after the name (MARC's $e), as catalogues abbreviate it, and the
# role the catalog gives it; the words ROLES reads in a
# `contributors` record's role are read here too (`_role`).
_RELATOR_ABBREVIATIONS = {
    "ill": "illustrator",
    "illus": "illustrator",
    "ed": "editor",
    "eds": "editor",
    "tr": "translator",
    "trans": "translator",
    "transl": "translator",
}
# Words of a stated role that the catalog credits as a contributor: the writer of a foreword,
# an introduction, notes...
_CONTRIBUTOR_WORDS = ("introduction", "foreword", "afterword", "preface", "notes", "commentary")
_TRAILING_PARENTHESIS = re.compile(r"^(?P<name>.+?)\s*\((?P<role>[^()]+)\)$")


def contribution(value: Any, roles: dict[str, str]) -> Contributor | None:
    """The person a `contributions` entry credits, when it says in what role: "Parks, Tim,
    translator" is Tim Parks, translator; "Elizabeth Hill (Translator)"; "Moxley, Sheila, ill."
    an illustrator; "Prince D. S. Mirsky (Introduction)" a contributor. None for an entry that
    states no role ("Garnett, Constance Black, 1862-1946." may be the translator or the author
    himself, "Dostoyevsky, Fyodor, 1821-1881", whom Open Library lists there too)."""
    written = fields.text(value)
    parenthesis = _TRAILING_PARENTHESIS.match(written)
    if parenthesis and (role := _role(parenthesis["role"], roles)):
        name = parenthesis["name"]
    else:
        name, comma, last = written.rstrip(" .").rpartition(",")
        role = _role(last, roles) if comma else ""
    person = fields.person_name(name) if role else ""
    return Contributor(name=person, role=role) if person else None


def _role(written: str, roles: dict[str, str]) -> str:
    """The catalog's role for a relator ("translator", "ill.", "Introduction"); "" for words
    that are no role (life dates, "Jr.", a fuller form of initials)."""
    lowered = written.strip().rstrip(".").casefold()
    if lowered in _RELATOR_ABBREVIATIONS:
        return _RELATOR_ABBREVIATIONS[lowered]
    role = next((value for word, value in roles.items() if word in lowered), "")
    if role:
        return role
    return "contributor" if any(word in lowered for word in _CONTRIBUTOR_WORDS) else ""
