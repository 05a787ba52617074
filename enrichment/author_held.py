"""What the catalog holds of a batch's authors, as author matching reads it (AuthorQuery): their
names (with those merged into them), ids and life years, the titles, ISBN-13s and Open Library
keys of the works they are credited on (two queries for the whole batch, one more per IN_CHUNK
works)."""

from collections import defaultdict

from catalog.models import Author, Edition, WorkAuthor
from catalog.selectors import names_merged_into
from enrichment.author_batch import BatchAuthor
from enrichment.author_candidates import AUTHOR_ID_FIELDS
from enrichment.author_dates import held_life_years
from enrichment.author_matching import AuthorQuery
from enrichment.models import EnrichmentRequest
from enrichment.providers import openlibrary_authors

#: The catalog's works of one author read into their query (titles compared, ISBNs matched).
WORKS_READ = 200
#: Work ids per query (SQLite's limit on bound values is 999).
IN_CHUNK = 900


def author_query(author: Author, titles=(), isbns=(), merged_names=()) -> AuthorQuery:
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


def bare_people(requests: list[EnrichmentRequest]) -> list[BatchAuthor]:
    """The requests' authors with nothing read yet: what a batch that failed early backs off."""
    return [
        BatchAuthor(request=r, author=r.author, query=author_query(r.author))
        for r in requests
        if r.author is not None
    ]


def batch_people(requests: list[EnrichmentRequest]) -> list[BatchAuthor]:
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
            query=author_query(
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
