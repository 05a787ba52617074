"""What bench/dump.py compares between two versions of the code (its --candidates and --tables
options): the lookups' whole Candidates, field for field, and the loaded tables' rows, by count
and digest. Run inside the bench's Django set-up (imports Django's models lazily)."""

import dataclasses
import gzip
import json
from pathlib import Path


def candidates_json(results: dict) -> dict:
    """A batch's answer as JSON: each ISBN's candidates, every field, the notes' codes too."""
    from enrichment.candidate_notes import note_code

    return {
        isbn13: [
            {**dataclasses.asdict(c), "notes_codes": [note_code(n) for n in c.notes]}
            for c in result.candidates
        ]
        for isbn13, result in sorted(results.items())
    }


def same_candidates(path: Path, answers: list[dict]) -> bool:
    """Write the answers to `path` (none there yet), else compare them with it; print which."""
    if not path.exists():
        path.write_bytes(gzip.compress(json.dumps(answers).encode(), mtime=0))
        print(f"candidates written to {path}")
        return True
    expected = json.loads(gzip.decompress(path.read_bytes()))
    answers = json.loads(json.dumps(answers))  # as read back: tuples become lists
    candidates = sum(len(cs) for answer in expected for cs in answer.values())
    differ = [
        (n, isbn13)
        for n, (mine, theirs) in enumerate(zip(answers, expected, strict=True))
        for isbn13 in sorted(mine.keys() | theirs.keys())
        if mine.get(isbn13) != theirs.get(isbn13)
    ]
    print(
        f"candidates compared with {path}: {len(expected)} batches, {candidates:,} candidates,"
        f" {len(differ)} ISBNs differ"
        + (f" (first: batch {differ[0][0]}, {differ[0][1]})" if differ else "")
    )
    return not differ


def table_digests() -> dict[str, list]:
    """Each loaded dump table's row count and the sum of its rows' md5 (the first 60 bits, as
    a number): the same rows stored, in whatever order, give the same pair."""
    from django.db import connection

    from enrichment.dump import tables

    digests = {}
    with connection.cursor() as cursor:
        for table in ("edition", "isbn", "work", "author"):
            cursor.execute(
                "SELECT count(*), COALESCE(SUM(('x' || substr(md5(t::text), 1, 15))::bit(60)"
                f"::bigint), 0)::text FROM {tables.live_name(table)} t"
            )
            digests[table] = list(cursor.fetchone())
    return digests


def same_tables(path: Path, digests: dict) -> bool:
    """Write the digests to `path` (none there yet), else compare them with it; print which."""
    if not path.exists():
        path.write_text(json.dumps(digests))
        print(f"table digests written to {path}: {digests}")
        return True
    expected = json.loads(path.read_text())
    differ = sorted(
        t for t in expected.keys() | digests.keys() if expected.get(t) != digests.get(t)
    )
    rows = ", ".join(f"{table} {count:,}" for table, (count, _digest) in digests.items())
    print(f"tables compared with {path} ({rows} rows): {len(differ)} differ {differ or ''}")
    return not differ
