"""Asking the author sources for a batch of authors (steps 2 and 3 of enrichment.author_engine):
Open Library (the dump, then the site) by the keys we hold or find through the works' book
records, Wikidata by keys, Goodreads ids and then names, the works lists that confirm a person
found by name, the Commons licences of the matched photos; and scoring what they answered
(rescore), as each step needs it.

An error in our handling of one source is a fault for the authors it was asked about (_step);
the other sources carry on."""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from django.utils.translation import gettext

from enrichment.author_batch import BatchAuthor, KeyWorks
from enrichment.author_candidates import AUTHOR_ID_KINDS, AuthorCandidate
from enrichment.author_matching import (
    NAME_CLOSE,
    AuthorRecordSummary,
    score_author_names,
    score_author_record,
)
from enrichment.author_state import names_an_organisation
from enrichment.candidates import Candidate, LookupResult, RecordT
from enrichment.faults import FaultLookup
from enrichment.matching import TIER_ORDER, Tier
from enrichment.outcomes import RunStats
from enrichment.providers import fields, openlibrary_authors
from enrichment.providers.base import Provider
from enrichment.providers.openlibrary import OpenLibraryProvider
from enrichment.providers.openlibrary_dump import OpenLibraryDumpProvider
from enrichment.providers.wikidata import WikidataProvider
from enrichment.providers.wikidata_authors import LabelQuery
from enrichment.tally import internal_fault, tally_result

logger = logging.getLogger(__name__)

#: ISBNs of an author's works asked to find their Open Library key (one credit is enough).
KEY_SEARCH_ISBNS = 2
#: Open Library keys of a person found by name alone whose works lists are asked to confirm.
CONFIRM_KEYS = 2
OPENLIBRARY_SOURCES = (OpenLibraryDumpProvider, OpenLibraryProvider)


def ask_sources(
    people: list[BatchAuthor],
    providers: list[Provider],
    works_by_key: dict[str, KeyWorks],
    stats: RunStats,
) -> None:
    for provider in providers:
        if isinstance(provider, OPENLIBRARY_SOURCES):
            ask = partial(_ask_openlibrary, provider, people, works_by_key, stats)
            _step(provider, people, ask)
        elif isinstance(provider, WikidataProvider):
            _step(provider, people, partial(_ask_wikidata, provider, people, works_by_key, stats))
    _step(None, people, partial(_confirm_by_works, providers, people, works_by_key, stats))
    wikidata = next((p for p in providers if isinstance(p, WikidataProvider)), None)
    if wikidata is not None:
        _step(wikidata, people, partial(_add_photo_licences, wikidata, people))


def _step(provider: Provider | None, people: list[BatchAuthor], ask: Callable[[], None]) -> None:
    """One source's turn: an error in our handling of it is a fault for the people it was
    asked about (retried), and the other sources go on."""
    try:
        ask()
    except Exception as exc:
        name = provider.name if provider is not None else ""
        logger.exception("Author lookups: handling %s's answers failed", name or "a source")
        for person in people:
            person.faults.append(internal_fault(f"Internal error: {exc}", provider=name))


def _ask_openlibrary(
    provider: OpenLibraryDumpProvider | OpenLibraryProvider,
    people: list[BatchAuthor],
    works_by_key: dict[str, KeyWorks],
    stats: RunStats,
) -> None:
    """Find the keys of authors who have none through their works' book records, then read the
    author records of every key (and of the record a merged one leads to)."""
    keyless = [person for person in people if not person.keys]
    by_isbn: dict[str, list[BatchAuthor]] = defaultdict(list)
    for person in keyless:
        for isbn in person.query.isbns[:KEY_SEARCH_ISBNS]:
            by_isbn[isbn].append(person)
    if by_isbn:
        results = provider.lookup_isbns(list(by_isbn))
        for isbn, waiting in by_isbn.items():
            result = results.get(isbn)
            if result is None:
                continue
            for person in waiting:
                found = _answered(person, provider.name, result, stats, FaultLookup.ISBN)
                _find_keys(person, found, works_by_key)
    if isinstance(provider, OpenLibraryProvider):
        for person in keyless:
            if person.keys or person.query.isbns or not person.record_keys:
                continue
            edition_key, work_key = person.record_keys[0]
            result = provider.edition(edition_key) if edition_key else provider.work(work_key)
            found = _answered(person, provider.name, result, stats, FaultLookup.OPENLIBRARY_KEY)
            _find_keys(person, found, works_by_key)
    _ask_records(provider, people, stats)


def _ask_records(
    provider: OpenLibraryDumpProvider | OpenLibraryProvider,
    people: list[BatchAuthor],
    stats: RunStats,
) -> None:
    """The author records of the people's keys not asked of this source yet; a record Open
    Library merged into another names it, and that one is asked (once)."""
    for _hop in range(2):
        wanted = {
            person: [key for key in person.keys if (provider.name, key) not in person.asked]
            for person in people
        }
        keys = list(dict.fromkeys(key for keys in wanted.values() for key in keys))
        if not keys:
            return
        results = provider.authors(keys)
        for person, person_keys in wanted.items():
            for key in person_keys:
                person.asked.add((provider.name, key))
                by_id = _answered(person, provider.name, results[key], stats, FaultLookup.AUTHOR_ID)
                for record in by_id:
                    if record.name:
                        person.records.append(record)
                    else:  # a redirect: Open Library merged the record we hold into another
                        _follow_redirect(person, key, record)


def _follow_redirect(person: BatchAuthor, key: str, record: AuthorCandidate) -> None:
    target = record.provider_ids.get("openlibrary_author", "")
    if not target or target in person.keys:
        return
    person.add_key(target)
    if person.query.ids.get("openlibrary_author") == key:
        # Open Library says our key is now this one: its record is ours, not another person's.
        _learn(person, "openlibrary_author", target)


def _learn(person: BatchAuthor, kind: str, value: str) -> None:
    """An id of the author that a source taught: records holding it are theirs from now on."""
    person.query = replace(person.query, ids={**person.query.ids, kind: value})
    person.learned[kind] = value


def _learn_from_matches(person: BatchAuthor) -> None:
    """The ids of the records matched at high confidence that we do not hold yet: Wikidata's item
    found by a Goodreads id names the Open Library key whose record is then theirs too."""
    for record, score in person.scored:
        if score.tier != Tier.HIGH:
            continue
        for kind, value in record.provider_ids.items():
            if kind in AUTHOR_ID_KINDS and value and kind not in person.query.ids:
                _learn(person, kind, value)


def _find_keys(
    person: BatchAuthor, books: list[Candidate], works_by_key: dict[str, KeyWorks]
) -> None:
    """The Open Library keys book records give people named like ours, with the work."""
    names = (person.query.name, *person.query.alternative_names)
    for book in books:
        for contributor in book.authors:
            key = openlibrary_authors.author_key(contributor.provider_id)
            if not key:
                continue
            if score_author_names(names, [contributor.name])[0] < NAME_CLOSE:
                continue  # a co-author, a translator: someone else
            person.add_key(key)
            works_by_key[key].add(book.title, [*book.isbn13, book.queried_isbn])


def _ask_wikidata(
    provider: WikidataProvider,
    people: list[BatchAuthor],
    works_by_key: dict[str, KeyWorks],
    stats: RunStats,
) -> None:
    """People by their Open Library keys and Goodreads ids, in batches; those nothing matched
    yet by name, with the life years we know."""
    by_key = {person: list(person.keys) for person in people if person.keys}
    if by_key:
        results = provider.authors_by_openlibrary_id(
            dict.fromkeys(k for keys in by_key.values() for k in keys)
        )
        for person, keys in by_key.items():
            for key in keys:
                person.records += _answered(
                    person, provider.name, results[key], stats, FaultLookup.AUTHOR_ID
                )
    goodreads = {
        person: goodreads_id
        for person in people
        if (goodreads_id := fields.author_id("goodreads_author", person.author.goodreads_author_id))
    }
    if goodreads:
        results = provider.authors_by_goodreads_id(dict.fromkeys(goodreads.values()))
        for person, goodreads_id in goodreads.items():
            person.records += _answered(
                person, provider.name, results[goodreads_id], stats, FaultLookup.AUTHOR_ID
            )
    rescore(people, works_by_key)
    unmatched = {
        person: LabelQuery(
            person.query.name,
            person.query.birth_year,
            person.query.death_year,
            birth_year_approximate=person.query.birth_year_approximate,
            death_year_approximate=person.query.death_year_approximate,
        )
        for person in people
        if not person.matched_at_least(Tier.MEDIUM)
        and not any(r.provider == provider.name for r in person.records)
    }
    if unmatched:
        results = provider.authors_by_label(list(unmatched.values()))
        for person, label in unmatched.items():
            person.records += _answered(
                person, provider.name, results[label.key], stats, FaultLookup.NAME_SEARCH
            )


def _confirm_by_works(
    providers: list[Provider],
    people: list[BatchAuthor],
    works_by_key: dict[str, KeyWorks],
    stats: RunStats,
) -> None:
    """A person found by name alone is confirmed by the works list of the Open Library key their
    record names, when we know any of their works; then the Open Library records of the keys
    that matched records name are asked."""
    rescore(people, works_by_key)
    openlibrary = next((p for p in providers if isinstance(p, OpenLibraryProvider)), None)
    if openlibrary is not None:
        for person in people:
            if person.matched_at_least(Tier.MEDIUM):
                continue
            if not (person.query.work_titles or person.query.isbns):
                continue
            keys = [
                key
                for record, score in person.scored
                if score.name >= NAME_CLOSE
                and (key := record.provider_ids.get("openlibrary_author", ""))
                and key not in person.keys
            ]
            for key in list(dict.fromkeys(keys))[:CONFIRM_KEYS]:
                works = openlibrary.author_works(key)
                lookup = FaultLookup.AUTHOR_WORKS
                for listed in _answered(person, openlibrary.name, works, stats, lookup):
                    for work in listed.works:
                        works_by_key[key].add(work.title, work.isbn13)
        rescore(people, works_by_key)
    for person in people:
        _learn_from_matches(person)
        for record, score in person.scored:
            if TIER_ORDER[score.tier] >= TIER_ORDER[Tier.MEDIUM]:
                person.add_key(record.provider_ids.get("openlibrary_author", ""))
    for provider in providers:
        if isinstance(provider, OPENLIBRARY_SOURCES):
            _step(provider, people, partial(_ask_records, provider, people, stats))
    rescore(people, works_by_key)


def _add_photo_licences(provider: WikidataProvider, people: list[BatchAuthor]) -> None:
    """What Commons says of the photos of the matched Wikidata people: asked once, for all
    (a photo whose licence could not be asked keeps "licence unknown")."""
    matched = [
        record
        for person in people
        if person.wants_photo()
        for record, score in person.scored
        if record.provider == provider.name
        and record.photos
        and TIER_ORDER[score.tier] >= TIER_ORDER[Tier.MEDIUM]
    ]
    if matched:
        provider.add_photo_licences(matched)  # sets each photo's licence in place


def _answered(
    person: BatchAuthor, provider: str, result: LookupResult[RecordT], stats: RunStats, lookup: str
) -> list[RecordT]:
    """A lookup's records for the person (none when the source did not answer), tallied; a
    fault names the lookup that failed (the request's page says which)."""
    return tally_result(person, provider, result, stats, lookup=lookup) or []


# --- Scoring what the sources answered -------------------------------------------------------


def _summary(record: AuthorCandidate, works_by_key: dict[str, KeyWorks]) -> AuthorRecordSummary:
    """A record as matching reads it, with the works credited to the Open Library key it names."""
    known = works_by_key.get(record.provider_ids.get("openlibrary_author", ""), KeyWorks())
    titles = [work.title for work in record.works] + known.titles
    isbns = [isbn for work in record.works for isbn in work.isbn13] + known.isbns
    return AuthorRecordSummary(
        provider=record.provider,
        name=record.name,
        alternate_names=tuple(record.alternate_names),
        birth_year=record.birth_year,
        death_year=record.death_year,
        work_titles=tuple(dict.fromkeys(titles)),
        isbns=tuple(dict.fromkeys(isbns)),
        ids=record.provider_ids,
        # A firm's record (`S. Norwell (Firm)`) is no person either, whatever its source says.
        not_a_person=record.not_a_person
        or (gettext("an organisation's name") if names_an_organisation(record.name) else ""),
        birth_year_approximate=record.birth_year_approximate,
        death_year_approximate=record.death_year_approximate,
        pen_names=tuple(record.pen_names),
    )


def rescore(people: list[BatchAuthor], works_by_key: dict[str, KeyWorks]) -> None:
    for person in people:
        person.scored = [
            (record, score_author_record(person.query, _summary(record, works_by_key)))
            for record in person.records
        ]
