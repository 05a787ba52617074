"""What the catalog holds for an author's enrichment request, and the author's enrichment state.

The authors' side of `enrichment.work_state`: what each author field holds now, an author's
completeness, which authors lack something, and the one function that writes an author's
enrichment state after any change (`author_refresh`).
"""

import re
from typing import Any

from django.db.models import Q
from django.utils import timezone

from catalog.importers.parsing import UNKNOWN_PERSON_PATTERN
from catalog.models import Author
from catalog.name_order import ORGANISATION_WORDS_PATTERN
from enrichment.merge import AUTHOR_COMPLETENESS_WEIGHTS, AUTHOR_FIELDS, completeness
from enrichment.work_state import stored_value

#: An organisation's name, credited as a work's author (a corporate body: a firm, a society, a
#: publisher): the author sources describe people, and a person of the name would be taken for
#: it. A catalogue heading's qualifier for a body (`S. Norwell (Firm)`, `(Organization)`,
#: `(Society)`, `(Group)`, `(Musical group)`, `(Firm : Bloomington, Ind.)`); a name that ends
#: with a word of a firm or a body (catalog.name_order.is_organisation_word: `… Inc.`, `… Ltd`,
#: `… Company`, `Orwell Women's Institute.`); a university's press or `The … Press` (not `…
#: Press` alone: William H. Press is a person); one that begins as a body's does (`Society of
#: …`, `Friends of Morwellham.`) or ends as one (`Australian Copyright Council.`); a body's
#: subdivisions (`California. Legislature. Senate.`); a meeting (`Orwell Conference (1983
#: University of Antwerp)`). Python's and PostgreSQL's regex alike: no `\b`, which
#: PostgreSQL reads as a backspace.
ORGANISATION_PATTERN = (
    r"\((?:firm|organi[sz]ation|society|(?:musical )?group|association|company|corporate body)"
    r"(?: ?:[^)]*)?\)"
    rf"|(?:^|[ ,])(?:{ORGANISATION_WORDS_PATTERN})\.?$"
    r"|(?:^|[ ,])(?:university|college) press\.?$|^the .+ press\.?$"
    r"|^(?:society|institute|association|academy|friends|council|committee|department|ministry"
    r"|museum|bureau) of "
    r"|(?:^|[ ,])(?:council|school|conference|symposium|congress|library|department|dept|office"
    r"|bureau|club)\.?$"
    # A body's subdivisions after a full stop: `United States. Congress. Senate.`, `Orwell.
    # Cambridgeshire. Parish.`; not a given name's abbreviation (`Chas. Dickens`), nor a stray
    # stop between two names (`Martin. Rhonheimer`).
    r"|\w{6,}\. \w+\.? \w"
    # A meeting's number, year and place: `Orwellian Symposium (2nd 1994 Karlovy Vary, …)`.
    r"|\((?:[0-9]+(?:st|nd|rd|th) )?[0-9]{4}\?? [^)]"
)
#: A name that stands for no one person, whom no source can describe: the imports' placeholders
#: for an unknown or several unnamed authors (`Anonymous`, `Anónimo`, `Unknown`, `Various`,
#: `Collectif`: catalog.importers.parsing.is_unknown_person), stored before the imports read
#: them as no one, or typed in the admin, and an organisation's name (ORGANISATION_PATTERN).
#: Python's and PostgreSQL's regex alike.
NO_ONE_PERSON_PATTERN = f"{UNKNOWN_PERSON_PATTERN}|{ORGANISATION_PATTERN}"
_NO_ONE_PERSON = re.compile(NO_ONE_PERSON_PATTERN, re.IGNORECASE)
_ORGANISATION = re.compile(ORGANISATION_PATTERN, re.IGNORECASE)


def names_no_one_person(name: str) -> bool:
    """Whether an author's name stands for no one person (NO_ONE_PERSON_PATTERN)."""
    return bool(_NO_ONE_PERSON.search(name.strip()))


def names_an_organisation(name: str) -> bool:
    """Whether an author's name is an organisation's (ORGANISATION_PATTERN): no one person."""
    return bool(_ORGANISATION.search(name.strip()))


def author_current_values(author: Author) -> dict[str, Any]:
    """What each of the author's proposal fields holds now."""
    return {name: stored_value(author, name) for name in AUTHOR_FIELDS}


def author_completeness_of(author: Author) -> int:
    values: dict[str, Any] = {
        name: getattr(author, name) for name in AUTHOR_COMPLETENESS_WEIGHTS if hasattr(author, name)
    }
    values["ids"] = bool(author.openlibrary_key or author.wikidata_id)
    values["photo"] = bool(author.photo)
    return completeness(values, AUTHOR_COMPLETENESS_WEIGHTS)


def author_live_q(prefix: str = "") -> Q:
    """Not a redirect (an author merged into another is nobody of its own: never enriched,
    counted apart). `prefix`: the condition through a relation, e.g. "author__" on credits."""
    return Q(**{f"{prefix}merged_into__isnull": True})


def author_has_id_q(prefix: str = "") -> Q:
    """Holds an id that links the author to the sources: an Open Library key or a Wikidata id."""
    return Q(**{f"{prefix}openlibrary_key__isnull": False}) | ~Q(**{f"{prefix}wikidata_id": ""})


def authors_missing_q(prefix: str = "") -> Q:
    """An author lacks something enrichment can find: a bio, a birth year, or an id that links
    them to the sources. Redirects are never asked, nor a name that stands for no one person
    (`Anonymous`: names_no_one_person), asked last as the dearest test."""
    return (
        author_live_q(prefix)
        & (
            Q(**{f"{prefix}bio": ""})
            | Q(**{f"{prefix}birth_year__isnull": True})
            | ~author_has_id_q(prefix)
        )
        & ~Q(**{f"{prefix}name__iregex": NO_ONE_PERSON_PATTERN})
    )


def author_refresh(
    author: Author,
    *,
    status: str | None = None,
    confidence: str | None = None,
    touched: bool = True,
) -> None:
    """The one place an author's enrichment state is written after a change."""
    author.completeness = author_completeness_of(author)
    update = ["completeness", "updated_at"]
    if status:
        author.enrichment_status = status
        update.append("enrichment_status")
    if confidence is not None:
        author.enrichment_confidence = confidence
        update.append("enrichment_confidence")
    if touched:
        author.last_enriched_at = timezone.now()
        update.append("last_enriched_at")
    author.save(update_fields=update)
