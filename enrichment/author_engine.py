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
   photo; medium and low wait for review, the photo too (apply.image_safe_at); none ends
   unmatched with the reason.
   The licences of the matched Wikidata photos are asked of Wikimedia Commons first.

Every claimed request leaves the batch final or backed off, never in progress: an error in our
handling of one source is a fault for the authors it was asked about, and the other sources
and authors carry on. Unreachable is not unknown, as for books: an author nothing matched
while a source that may know them could not be asked waits for it (outcomes.wait_for_providers);
faults back off (outcomes.retry_or_fail).

The steps live by concern: what we hold (author_held), asking the sources and scoring their
answers (author_lookups), deciding (author_decision). This module does not import
enrichment.engine (engine hands it the author requests).
"""

from collections import Counter, defaultdict
from functools import partial

from enrichment.author_batch import BatchAuthor, KeyWorks
from enrichment.author_decision import decide_author
from enrichment.author_held import bare_people, batch_people
from enrichment.author_lookups import ask_sources
from enrichment.author_state import names_no_one_person
from enrichment.models import EnrichmentRequest
from enrichment.outcomes import RunStats
from enrichment.providers.base import Provider
from enrichment.providers.exchange import REQUESTS_SENT
from enrichment.tally import batch_failed, decide_each


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
        people = batch_people(requests)
        # `Anonymous`, `S. Norwell (Firm)` are nobody a source describes: asking finds namesakes.
        people_to_ask = [p for p in people if not names_no_one_person(p.author.name)]
        ask_sources(people_to_ask, providers, works_by_key, stats)
    except Exception as exc:  # never leave claimed requests in progress: back them all off
        people = people or bare_people(requests)
        batch_failed(people, exc)
    decide_each(people, partial(decide_author, works_by_key=works_by_key), stats)
    stats.provider_requests = +(Counter(REQUESTS_SENT) - sent_before)
    return stats
