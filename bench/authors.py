"""Author enrichment on the authors of real exports (issue 15's report): how many end enriched,
waiting for review or unmatched, how many are proposed for merging, and the provider requests
per 1,000 authors, through the real import, queue, engine, clients and photo pipeline.

    .venv/bin/python bench/authors.py                 # SQLite, then PostgreSQL if installed
    .venv/bin/python bench/authors.py --db sqlite

What it does, in a fresh throwaway database (a SQLite temp file, or a PostgreSQL cluster
started by scripts/with_postgres.sh):

1. `migrate`; `import_books --no-enrich` of the two real mapmyreads exports (a Goodreads export
   of 358 rows and a StoryGraph one of 193: ../shared/fixtures/peers/mapmyreads, the same bytes
   as tests/fixtures/imports/mapmyreads; see their PROVENANCE.md). Every person they credit
   (authors, translators, narrators…) is a catalog Author with a name and nothing else.
2. Duplicates proposed for merging before enrichment (`reconcile.author_duplicates_propose`).
3. A local server on 127.0.0.1 answers as Open Library (Books API, author records, works
   lists, author photos), Wikidata (SPARQL) and Wikimedia Commons (licences, photos). Nothing
   is fetched from the internet. ITS ANSWERS ARE SYNTHETIC: no recorded answer exists for
   these people. Each body is a recorded or synthetic-* fixture's shape with this world's
   values put in (see `World`); who is known to which source is decided by a hash of the
   author's name, in the shares of WORLD_SHARES, so the enriched / review / unmatched split
   below follows from those shares: what the run measures is that the pipeline sorts each
   kind of author as intended, and what it costs in requests.
4. `authors_enqueue_enrichment`, then `engine.run_now` (enrich_missing --now's loop: batches
   of ENRICHMENT_BATCH_SIZE through the real engine, clients, cache and throttle, then each
   batch's photos downloaded, verified and stored). ENRICHMENT_PROVIDERS=openlibrary,wikidata
   (no dump is loaded); the rate limits are lifted (1,000 req/s) so that the run takes seconds:
   the request counts are what is measured, and the time they would take at the providers'
   real rates is computed from them.
5. Duplicates proposed again (the ids found can reveal more), and the report.

It prints the machine (a fixed CPU loop before and after, the load average), the counts, the
requests per endpoint and per 1,000 authors, and where each kind of author ended.
"""

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from authors_world import (
    AUTHOR_RECORD,
    BOOKS_API_RECORD,
    COMMONS_PAGES,
    EXPORT_FILES,
    EXPORTS,
    EXPORTS_COPY,
    RATES,
    SPARQL_PEOPLE,
    WORKS_LIST,
    WORLD_SHARES,
    Person,
    Server,
    World,
    kind_of,
)
from machine import bench_env, machine_line, run_on_databases

ROOT = Path(__file__).resolve().parents[1]


# --- the run ---------------------------------------------------------------------------------


def import_exports() -> list[dict]:
    from io import StringIO

    from django.core.management import call_command

    folder = EXPORTS if EXPORTS.is_dir() else EXPORTS_COPY
    summaries = []
    for name in EXPORT_FILES:
        out = StringIO()
        call_command("import_books", str(folder / name), "--no-enrich", "--json", stdout=out)
        summaries.append({"file": name, **json.loads(out.getvalue())})
    return summaries


def catalog_world() -> World:
    from catalog.models import Author, Edition, WorkAuthor

    people = {
        pk: Person(pk=pk, name=name, kind=kind_of(key))
        for pk, name, key in Author.objects.values_list("pk", "name", "name_normalized")
    }
    titles_of: dict[int, str] = {}
    credits_of: dict[int, list[int]] = {}
    for author_id, work_id, title in WorkAuthor.objects.values_list(
        "author_id", "work_id", "work__title"
    ):
        titles_of[work_id] = title
        credits_of.setdefault(work_id, []).append(author_id)
        people[author_id].titles.append(title)
    books = {}
    for work_id, isbn13 in Edition.objects.exclude(isbn13=None).values_list("work_id", "isbn13"):
        books[isbn13] = (titles_of.get(work_id, ""), credits_of.get(work_id, []))
        for pk in credits_of.get(work_id, []):
            people[pk].isbns.append(isbn13)
    return World(list(people.values()), books)


def propose_duplicates() -> dict:
    from enrichment import reconcile

    return reconcile.author_duplicates_propose().as_json()


def run_here() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q
    from django.test.utils import override_settings

    from catalog.models import Author
    from enrichment import engine, queue
    from enrichment.models import AuditLogEntry, EnrichmentRequest

    # The cover tasks apply_proposal queues for a cluster are not run here (run_now fetches the
    # photos itself): their "Enqueued" lines are noise.
    logging.getLogger("django-q").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    print(f"\n== {connection.vendor} ({connection.settings_dict['NAME']})")
    print(machine_line("machine before"))
    for summary in import_exports():
        print(
            f"imported {summary['file']}: {summary['rows']} rows, {summary['created']} created, "
            f"{summary['updated']} updated, {summary['duplicates']} duplicates, "
            f"{summary['failed']} failed"
        )
    world = catalog_world()
    authors = len(world.people)
    kinds = Counter(person.kind for person in world.people.values())
    with_isbn = sum(1 for person in world.people.values() if person.isbns)
    print(
        f"{authors} authors ({with_isbn} credited on a book with an ISBN); this world's kinds: "
        + ", ".join(f"{kind} {kinds[kind]}" for kind, _ in WORLD_SHARES)
    )
    before = propose_duplicates()
    server = Server(world)
    server.thread.start()
    overrides = {
        "ENRICHMENT_PROVIDERS": ["openlibrary", "wikidata"],
        "OPENLIBRARY_URL": f"{server.url}/ol",
        "OPENLIBRARY_COVERS_URL": f"{server.url}/covers",
        "WIKIDATA_SPARQL_URL": f"{server.url}/sparql",
        "WIKIMEDIA_COMMONS_URL": f"{server.url}/commons",
        "COVER_ALLOWED_HOSTS": [f"127.0.0.1:{server.httpd.server_port}"],
        "OPENLIBRARY_RATE": 1000.0,
        "WIKIDATA_RATE": 1000.0,
        "ENRICHMENT_CONTACT_EMAIL": "bench@example.org",
    }
    try:
        with override_settings(**overrides):
            ids = queue.authors_enqueue_enrichment(trigger="command", dispatch=False)
            started = time.perf_counter()
            stats = engine.run_now(request_ids=ids)
            seconds = time.perf_counter() - started
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    after = propose_duplicates()
    print(machine_line("machine after"))

    requests = EnrichmentRequest.objects.filter(pk__in=ids).select_related("author")
    statuses = Counter(r.status for r in requests)
    by_kind: dict[str, Counter] = {}
    for request in requests:
        kind = world.people[request.author_id].kind
        by_kind.setdefault(kind, Counter())[f"{request.status}/{request.confidence}"] += 1
    holding = {
        "bio": ~Q(bio=""),
        "birth_year": Q(birth_year__isnull=False),
        "openlibrary_key": Q(openlibrary_key__isnull=False) & ~Q(openlibrary_key=""),
        "wikidata_id": ~Q(wikidata_id=""),
        "photo": ~Q(photo=""),
    }
    filled = {name: Author.objects.filter(q).count() for name, q in holding.items()}
    entries = Counter(
        AuditLogEntry.objects.filter(author__isnull=False).values_list("action", flat=True)
    )
    per_thousand = 1000 / max(len(ids), 1)

    print(f"\n{len(ids)} author requests worked in {seconds:.1f} s (rate limits lifted)")
    print(
        "final statuses: "
        + ", ".join(f"{status} {count}" for status, count in statuses.most_common())
    )
    print(
        f"  enriched (completed) {statuses['completed']}, needing review "
        f"{statuses['needs_review']}, unmatched (skipped) {statuses['skipped']}, failed "
        f"{statuses['failed']}, still pending {statuses['pending']}"
    )
    for kind, _share in WORLD_SHARES:
        counts = by_kind.get(kind, Counter())
        print(f"  {kind:<10} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print("authors holding: " + ", ".join(f"{name} {count}" for name, count in filled.items()))
    print("audit entries: " + ", ".join(f"{action} {count}" for action, count in entries.items()))
    print(
        f"proposed for merging: before enrichment {before['proposed']} {before['by_reason']}; "
        f"after {after['proposed']} {after['by_reason']}"
    )
    print("  (proposals only: a reviewer merges; nothing is merged automatically)")
    total = sum(stats.provider_requests.values())
    print(
        f"\nprovider requests (throttled, counted by the clients): {total} "
        f"= {total * per_thousand:.0f} per 1,000 authors"
    )
    for provider, count in sorted(stats.provider_requests.items()):
        at_rate = count / RATES.get(provider, 1.0)
        print(
            f"  {provider:<12} {count:>5}  ({count * per_thousand:.0f} per 1,000 authors; "
            f"{at_rate:.0f} s at its real rate of {RATES.get(provider, 1.0):g} req/s)"
        )
    print(f"  cache hits {stats.cache_hits}")
    print("requests the server saw, by endpoint (photo downloads are not provider requests):")
    for endpoint, count in sorted(server.counts.items()):
        print(f"  {endpoint:<28} {count:>5}  ({count * per_thousand:.0f} per 1,000 authors)")
    print(
        "\nRecorded bodies behind the answers: Open Library's Books API record "
        f"({BOOKS_API_RECORD.name}) and author record ({AUTHOR_RECORD.name}), with this world's "
        "titles, names, keys, dates and a synthetic bio put in.\nSynthetic: the works lists "
        f"({WORKS_LIST.name}), Wikidata's rows ({SPARQL_PEOPLE.name}), Commons' licences "
        f"({COMMONS_PAGES.name}), the photos (drawn with Pillow), and who knows whom "
        f"(WORLD_SHARES: {', '.join(f'{k} {s} %' for k, s in WORLD_SHARES)}), so the split "
        "above follows from those shares."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["both", "sqlite", "postgres", "current"], default="both")
    args = parser.parse_args()
    if args.db == "current":
        run_here()
        return
    env = bench_env(
        MEDIA_ROOT=tempfile.mkdtemp(prefix="bench-authors-media-"),
        IMPORT_STORAGE_LOCATION=tempfile.mkdtemp(prefix="bench-authors-imports-"),
    )
    me = [sys.executable, str(Path(__file__).resolve()), "--db", "current"]
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}")
    sys.exit(0 if run_on_databases(me, env, args.db) else 1)


if __name__ == "__main__":
    main()
