"""Open Library's author records and an author's works list, as AuthorCandidates. Pure.

`/authors/OL…A.json` and a line of the authors dump are the same record (the dump is a copy of
the records the API serves), so the online client and the dump provider both read them with
`author_candidate`: one parser for both. Photos are referenced by photo id on the covers
service (`/a/id/N-L.jpg`), which, like cover ids, is not rate limited.
"""

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_noop

from enrichment.author_candidates import AuthorCandidate, AuthorWork, PhotoRef
from enrichment.author_dates import life_date
from enrichment.candidate_notes import note
from enrichment.candidates import Candidate
from enrichment.providers import fields

#: Works asked for per author (`works.json?limit=`): enough titles to confirm a match.
AUTHOR_WORKS_LIMIT = 100
#: Open Library's `remote_ids` keys -> AuthorCandidate.provider_ids keys.
REMOTE_ID_KINDS = {
    "wikidata": "wikidata",
    "viaf": "viaf",
    "isni": "isni",
    "goodreads": "goodreads_author",
}
_LINE_BREAKS = re.compile(r"\r\n?")
_WORK_KEY = re.compile(r"OL[1-9]\d*W\b")


def author_key(value: Any) -> str:
    """ "OL23919A", "/authors/OL23919A" or an author page's URL -> "OL23919A"; else ""."""
    return fields.author_id("openlibrary_author", value)


def author_keys(candidates: Iterable[Candidate]) -> list[str]:
    """The Open Library author ids that book candidates name for their people (a Books API,
    edition, work or search record): where the author lookups start."""
    keys = (author_key(person.provider_id) for c in candidates for person in c.authors)
    return list(dict.fromkeys(key for key in keys if key))


def photo_refs(
    photo_ids: list[Any], *, provider: str, covers_url: str, page: str
) -> list[PhotoRef]:
    """Large then medium photo by id; -1 in Open Library records means "no photo"."""
    refs = []
    for photo_id in dict.fromkeys(photo_ids):
        number = fields.positive_int(photo_id)
        if number is None:
            continue
        for size in ("L", "M"):
            refs.append(
                PhotoRef(
                    provider=provider,
                    url=f"{covers_url}/a/id/{number}-{size}.jpg",
                    photo_id=str(number),
                    size_label=size,
                    source_page=page,  # Open Library states no licence for its photos
                )
            )
    return refs


def author_candidate(
    record: Any, *, provider: str, base_url: str, covers_url: str
) -> AuthorCandidate:
    """An author record (from the API or a dump line) -> AuthorCandidate.

    The bio comes as a string or as {"type": "/type/text", "value": ...}; dates are free text
    ("25 June 1903", "18 Sep 1830", "12/2010"), kept as given beside the year read from them;
    `remote_ids` give the Wikidata, VIAF, ISNI and Goodreads ids. A record Open Library merged
    into another (`/type/redirect`) names the other record's id, with a note, and nothing else.
    """
    fields.expect(record, dict, "author record")
    author_id = author_key(record.get("key"))
    page = f"{base_url}/authors/{author_id}" if author_id else ""
    record_type = record.get("type")
    if isinstance(record_type, dict) and record_type.get("key") == "/type/redirect":
        target = author_key(record.get("location"))
        return AuthorCandidate(
            provider=provider,
            provider_ids={"openlibrary_author": target} if target else {},
            source_url=page,
            notes=[
                note(
                    gettext_noop("Open Library merged %(old)s into %(new)s."),
                    old=author_id,
                    new=target or "?",
                )
            ],
        )
    personal_name = fields.text(record.get("personal_name"))
    # A heading (`Kiss, Lenke.`, from the catalogue records Open Library was loaded from) is the
    # name in reading order, `Lenke Kiss` (fields.person_name); not also an alternate name.
    heading = fields.text(record.get("name")) or personal_name
    name = fields.person_name(heading)
    ids = {"openlibrary_author": author_id}
    remote_ids = record.get("remote_ids")
    for remote_kind, kind in REMOTE_ID_KINDS.items():
        if isinstance(remote_ids, dict) and (value := remote_ids.get(remote_kind)):
            ids[kind] = fields.author_id(kind, value)
    bio = _LINE_BREAKS.sub("\n", fields.description_text(record.get("bio")))
    candidate = AuthorCandidate(
        provider=provider,
        provider_ids={kind: value for kind, value in ids.items() if value},
        name=name,
        alternate_names=[
            other
            for other in fields.unique(
                [*fields.as_list(record.get("alternate_names")), personal_name]
            )
            if other.casefold() not in {name.casefold(), heading.casefold()}
        ],
        birth_date=fields.text(record.get("birth_date")),
        death_date=fields.text(record.get("death_date")),
        bio=bio,
        bio_source=page if bio else "",
        photos=photo_refs(
            fields.as_list(record.get("photos")),
            provider=provider,
            covers_url=covers_url,
            page=page,
        ),
        source_url=page,
    )
    # A date field's free text (enrichment.author_dates: "-384" is 384 BC, "c. 1850" a guess).
    candidate.birth_year, candidate.birth_year_approximate = life_date(candidate.birth_date)
    candidate.death_year, candidate.death_year_approximate = life_date(candidate.death_date)
    if (
        candidate.birth_year
        and candidate.death_year
        and candidate.death_year < candidate.birth_year
    ):
        candidate.notes.append(
            note(gettext_noop("The record's death date is before its birth date."))
        )
    return candidate


def works_candidate(body: Any, *, author_id: str, provider: str, base_url: str) -> AuthorCandidate:
    """`/authors/OL…A/works.json` -> the author as that list knows them: their id and the
    titles of their works (what matching compares with ours), no other field."""
    fields.expect(body, dict, "works list")
    entries = fields.expect(body.get("entries", []), list, "works list entries")
    works = [
        AuthorWork(
            title=title,
            provider_id=work_key.group(0)
            if (work_key := _WORK_KEY.search(fields.text(entry.get("key"))))
            else "",
            first_published_year=fields.year_of(entry.get("first_publish_date")),
        )
        for entry in entries
        if isinstance(entry, dict) and (title := fields.text(entry.get("title")))
    ]
    candidate = AuthorCandidate(
        provider=provider,
        provider_ids={"openlibrary_author": author_id},
        works=works,
        source_url=f"{base_url}/authors/{author_id}",
    )
    size = fields.positive_int(body.get("size"))
    if size and size > len(entries):
        candidate.notes.append(
            note(
                gettext_noop("The first %(listed)s of the author's %(size)s works were listed."),
                listed=len(entries),
                size=size,
            )
        )
    return candidate
