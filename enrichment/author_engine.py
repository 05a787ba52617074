"""Processing claimed author requests: ask the author sources, score, merge, decide, apply.

The authors' side of enrichment.engine, on the same queue, outcomes and apply path (the apply
path, the photo pipeline and the outcomes are target-aware: enrichment.targets). A batch of
author requests is worked together so that each source is asked once for all of them:

1. What we hold (`AuthorQuery`): the name, our ids, the titles and ISBN-13s of the works they
   are credited on (two queries for the whole batch, one more per 900 works).
2. The sources, in ENRICHMENT_PROVIDERS order, where they apply:
   - the local Open Library dump and Open Library: an author without an Open Library key is
     looked for in the book records of their works (the dump's editions, else the Books API,
     100 ISBNs a request, else the edition / work record of a work known only by its Open
     Library keys): a person credited there under a name like theirs gives a key, and the
     work it is credited on. Then the author records of the keys (the dump: one query; Open
     Library: `/authors/OL…A.json`, one request per author not cached: it has no batch
     endpoint; the dump's table keeps no bio or photo, so with both enabled each is read); a
     record Open Library merged into another leads to that one;
   - Wikidata: people by the Open Library keys (P648) and Goodreads ids (P2963), 50 a query;
     the authors nothing matched yet, by name (a label search with the life-years check).
3. Confirming by works: a person found by name alone whose record names an Open Library key is
   confirmed by that key's works list (`/authors/OL…A/works.json`) when we know any of the
   author's works. A record matched at high confidence teaches the ids we lack (Wikidata's
   item found by a Goodreads id names the Open Library key), and the Open Library record of a
   key a matched record names is asked too.
4. Every record is scored (author_matching.score_author_record): an id of ours decides; else a
   good name needs a work in common. A record's works are those it lists and those of the Open
   Library key it names (the book records that credit that key, its works list).
5. The best tier decides, as for books (enrichment.apply): high fills empty fields and the
   photo; medium the photo only; low waits for review; none ends unmatched with the reason.
   The licences of the matched Wikidata photos are asked of Wikimedia Commons first.

Every claimed request leaves the batch final or backed off, never in progress: an error in our
handling of one source is a fault for the authors it was asked about, and the other sources
and authors carry on. Unreachable is not unknown, as for books: an author nothing matched
while a source that may know them could not be asked waits for it (outcomes.wait_for_providers);
faults back off (outcomes.retry_or_fail).

This module does not import enrichment.engine (engine hands it the author requests).
"""

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from django.conf import settings
from django.utils.translation import gettext

from catalog.models import Author, Edition, WorkAuthor
from catalog.selectors import names_merged_into
from enrichment import apply, author_proposal, outcomes
from enrichment.author_batch import BatchAuthor, KeyWorks
from enrichment.author_candidates import AUTHOR_ID_FIELDS, AUTHOR_ID_KINDS, AuthorCandidate
from enrichment.author_dates import held_life_years
from enrichment.author_matching import (
    NAME_CLOSE,
    AuthorQuery,
    AuthorRecordSummary,
    score_author_names,
    score_author_record,
)
from enrichment.author_state import (
    author_current_values,
    names_an_organisation,
    names_no_one_person,
)
from enrichment.candidates import Candidate, LookupResult, RecordT
from enrichment.faults import FaultLookup
from enrichment.matching import TIER_ORDER, Tier
from enrichment.models import EnrichmentRequest
from enrichment.outcomes import RunStats
from enrichment.proposals import (
    CandidateSeen,
    HeldAuthor,
    MatchDetails,
    Scores,
    build_proposal,
)
from enrichment.providers import fields, openlibrary_authors
from enrichment.providers.base import Provider
from enrichment.providers.exchange import REQUESTS_SENT
from enrichment.providers.openlibrary import OpenLibraryProvider
from enrichment.providers.openlibrary_dump import OpenLibraryDumpProvider
from enrichment.providers.wikidata import WikidataProvider
from enrichment.providers.wikidata_authors import LabelQuery
from enrichment.tally import (
    batch_failed,
    decide_each,
    end_unmatched,
    internal_fault,
    tally_result,
)

logger = logging.getLogger(__name__)

#: ISBNs of an author's works asked to find their Open Library key (one credit is enough).
KEY_SEARCH_ISBNS = 2
#: Open Library keys of a person found by name alone whose works lists are asked to confirm.
CONFIRM_KEYS = 2
#: What the match details keep of what we hold, and of the records seen.
HELD_SHOWN = 10
CANDIDATES_SHOWN = 20
#: The catalog's works of one author read into their query (titles compared, ISBNs matched).
WORKS_READ = 200
#: Work ids per query (SQLite's limit on bound values is 999).
IN_CHUNK = 900
OPENLIBRARY_SOURCES = (OpenLibraryDumpProvider, OpenLibraryProvider)


def process_author_requests(
    requests: list[EnrichmentRequest], *, providers: list[Provider]
) -> RunStats:
    """Work a batch of claimed author requests to a final status (or a backed-off retry)."""
    stats = RunStats()
    if not requests:
        return stats
    sent_before = Counter(REQUESTS_SENT)
    people: list[BatchAuthor] = []
    works_by_key: dict[str, KeyWorks] = defaultdict(KeyWorks)
    try:
        people = _people(requests)
        # `Anonymous`, `S. Norwell (Firm)` are nobody a source describes: asking finds namesakes.
        people_to_ask = [p for p in people if not names_no_one_person(p.author.name)]
        _ask_sources(people_to_ask, providers, works_by_key, stats)
    except Exception as exc:  # never leave claimed requests in progress: back them all off
        people = people or _bare_people(requests)
        batch_failed(people, exc)
    decide_each(people, partial(_decide, works_by_key=works_by_key), stats)
    stats.provider_requests = +(Counter(REQUESTS_SENT) - sent_before)
    return stats


# --- What we hold ---------------------------------------------------------------------------


def _query(author: Author, titles=(), isbns=(), merged_names=()) -> AuthorQuery:
    """What matching reads of the author, whose names include those merged into them
    (catalog.selectors.names_merged_into): "Alexandre Dumas" once fils was merged into him."""
    ids = {kind: getattr(author, name) or "" for kind, name in AUTHOR_ID_FIELDS.items()}
    names = dict.fromkeys(n for n in (author.sort_name, *merged_names) if n and n != author.name)
    born, died = held_life_years(
        author.name, author.birth_year, author.death_year, author.birth_date, author.death_date
    )
    return AuthorQuery(
        name=author.name,
        alternative_names=tuple(names),
        work_titles=tuple(titles),
        isbns=tuple(isbns),
        birth_year=born.year,
        death_year=died.year,
        ids={kind: value for kind, value in ids.items() if value},
        # A date we hold that says its year is a guess ("c. 1200") is compared as one.
        birth_year_approximate=born.approximate,
        death_year_approximate=died.approximate,
    )


def _bare_people(requests: list[EnrichmentRequest]) -> list[BatchAuthor]:
    """The requests' authors with nothing read yet: what a batch that failed early backs off."""
    return [
        BatchAuthor(request=r, author=r.author, query=_query(r.author))
        for r in requests
        if r.author is not None
    ]


def _people(requests: list[EnrichmentRequest]) -> list[BatchAuthor]:
    """Each request's author with their works' titles, ISBNs, Open Library keys and merged
    names: a query for the credits and the names, one per IN_CHUNK works for the editions."""
    author_ids = [r.author_id for r in requests]
    merged_names = names_merged_into(r.author_id for r in requests if r.author_id)
    credits: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for author_id, work_id, title, placeholder, work_key in WorkAuthor.objects.filter(
        author_id__in=author_ids
    ).values_list(
        "author_id",
        "work_id",
        "work__title",
        "work__title_is_placeholder",
        "work__openlibrary_work_key",
    ):
        credits[author_id].append((work_id, "" if placeholder else title, work_key or ""))
    work_ids = list(
        dict.fromkeys(w for works in credits.values() for w, _, _ in works[:WORKS_READ])
    )
    editions: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for start in range(0, len(work_ids), IN_CHUNK):
        chunk = work_ids[start : start + IN_CHUNK]
        for work_id, isbn13, edition_key in Edition.objects.filter(work_id__in=chunk).values_list(
            "work_id", "isbn13", "openlibrary_edition_key"
        ):
            editions[work_id].append((isbn13 or "", edition_key or ""))
    people = []
    for request in requests:
        author = request.author
        assert author is not None, "a work's request is engine's"
        works = credits.get(author.pk, [])[:WORKS_READ]
        titles = [title for _, title, _ in works if title]
        isbns = [isbn for work_id, _, _ in works for isbn, _ in editions[work_id] if isbn]
        person = BatchAuthor(
            request=request,
            author=author,
            query=_query(
                author, dict.fromkeys(titles), dict.fromkeys(isbns), merged_names.get(author.pk, ())
            ),
        )
        for work_id, _, work_key in works:
            keys = [edition_key for isbn, edition_key in editions[work_id] if edition_key]
            if work_key or keys:
                person.record_keys.append((keys[0] if keys else "", work_key))
        person.add_key(openlibrary_authors.author_key(author.openlibrary_key or ""))
        people.append(person)
    return people


# --- Asking the sources ---------------------------------------------------------------------


def _ask_sources(
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
    _rescore(people, works_by_key)
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
    _rescore(people, works_by_key)
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
        _rescore(people, works_by_key)
    for person in people:
        _learn_from_matches(person)
        for record, score in person.scored:
            if TIER_ORDER[score.tier] >= TIER_ORDER[Tier.MEDIUM]:
                person.add_key(record.provider_ids.get("openlibrary_author", ""))
    for provider in providers:
        if isinstance(provider, OPENLIBRARY_SOURCES):
            _step(provider, people, partial(_ask_records, provider, people, stats))
    _rescore(people, works_by_key)


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


# --- Scoring and deciding ---------------------------------------------------------------------


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


def _rescore(people: list[BatchAuthor], works_by_key: dict[str, KeyWorks]) -> None:
    for person in people:
        person.scored = [
            (record, score_author_record(person.query, _summary(record, works_by_key)))
            for record in person.records
        ]


def _match_details(person: BatchAuthor) -> MatchDetails:
    query = person.query
    return MatchDetails(
        held_author=HeldAuthor(
            name=query.name,
            ids=dict(_query(person.author).ids),
            work_titles=list(query.work_titles[:HELD_SHOWN]),
            isbn13=list(query.isbns[:HELD_SHOWN]),
            birth_year=query.birth_year,
            death_year=query.death_year,
        ),
        learned_ids=dict(person.learned),
        # For an author the three scores are id / works / name (match_summary.SCORE_LABELS).
        candidates=[
            CandidateSeen(
                provider=record.provider,
                title=record.name,
                ids=dict(record.provider_ids),
                source_url=record.source_url,
                notes=list(record.notes),
                isbn_score=score.identifier,
                title_score=score.works,
                author_score=score.name,
                tier=str(score.tier),
                reasons=list(score.reasons),
            )
            for record, score in sorted(
                person.scored,
                key=lambda item: author_proposal.score_strength(item[1]),
                reverse=True,
            )[:CANDIDATES_SHOWN]  # the strongest first, for the review page
        ],
        skipped=person.skipped,
        faults=person.faults,
        answered=person.answered,
    )


def _decide(person: BatchAuthor, works_by_key: dict[str, KeyWorks]) -> str:
    _rescore([person], works_by_key)
    request = person.request
    request.providers_attempted = person.attempted
    details = _match_details(person)
    request.match_details = details
    if names_no_one_person(person.author.name):
        return end_unmatched(person, request, reason=_no_one_reason(person.author.name))
    tier = person.best_tier
    if tier == Tier.NONE:
        return end_unmatched(person, request, reason=_unmatched_reason(person))

    merged = author_proposal.merge_author_candidates(
        person.scored, provider_order=settings.ENRICHMENT_PROVIDERS
    )
    best = author_proposal.best_score(author_proposal.candidates_to_merge(person.scored))
    assert best is not None
    proposal = build_proposal(
        current=author_current_values(person.author),
        merged=merged,
        tier=str(tier),
        # An author's scores are id / works / name in the slots a book's ISBN / title / author use.
        scores=Scores(isbn=best.identifier, title=best.works, author=best.name),
    )
    details.contributors = merged.contributors()
    photos = merged.covers if request.wants_cover and person.matched_at_least(Tier.MEDIUM) else []
    return apply.request_apply_decision(
        request=request, tier=tier, proposal=proposal, covers=photos
    )


def _no_one_reason(name: str) -> str:
    if names_an_organisation(name):
        return gettext(
            "“%(name)s” is an organisation's name, not a person's: the author sources describe "
            "people, so none was asked."
        ) % {"name": name}
    return gettext(
        "“%(name)s” stands for no one person (a work's unknown or several unnamed authors): "
        "no source can describe them, so none was asked."
    ) % {"name": name}


def _unmatched_reason(person: BatchAuthor) -> str:
    """Why no record is this author, in a librarian's words."""
    if person.skipped and not person.answered:
        return gettext("No source could look this author up: %(why)s.") % {
            "why": outcomes.skips_text(person.skipped)
        }
    if not person.attempted:
        return gettext(
            "No enabled source can look this author up: the author sources are the Open "
            "Library dump, Open Library and Wikidata."
        )
    if person.records:
        return gettext(
            "Sources answered, but no record is this author: neither the name nor a work agrees."
        )
    return gettext("No source knows this author.")
