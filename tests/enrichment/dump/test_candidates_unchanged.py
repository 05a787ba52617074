"""The dump provider's Candidates stay exactly what they were before the lookup was made faster
(issue 18, goal 4): every ISBN of the real dump lines, linked to real works and authors.

The reference (`candidates-reference.json.gz`) was written by the lookup as it was before that
change (three queries, rows decoded field by field); regenerate it only for an intended change:
`CANDIDATES_REFERENCE_WRITE=1 pytest tests/enrichment/dump/test_candidates_unchanged.py`.
"""

import dataclasses
import gzip
import json
import os

import pytest

from enrichment.dump import isbn_keys, reader
from enrichment.providers.openlibrary_dump import OpenLibraryDumpProvider
from tests.enrichment.dump.conftest import (
    REAL_AUTHORS,
    REAL_EDITIONS,
    REAL_WORKS,
    fixture_path,
    real_lines,
)

pytestmark = pytest.mark.django_db(transaction=True)

REFERENCE = fixture_path("candidates-reference.json.gz")


def linked_dump(tmp_path) -> dict[str, str]:
    """The real lines, each edition pointed at a real work and real authors (the lines as
    sliced from the dump name records outside the slices): every step of the chain occurs."""
    works = real_lines(REAL_WORKS).splitlines()
    authors = real_lines(REAL_AUTHORS).splitlines()
    work_keys = [line.split(b"\t")[1].decode() for line in works]
    author_keys = [line.split(b"\t")[1].decode() for line in authors]
    editions = []
    for n, line in enumerate(real_lines(REAL_EDITIONS).splitlines()):
        columns = line.split(b"\t")
        record = json.loads(columns[4])
        # Three editions a work, so that a work's other editions can lend it a cover.
        record["works"] = [{"key": work_keys[(n // 3) % len(work_keys)]}]
        if n % 4:  # a quarter take their authors from the work
            chosen = {author_keys[(n * 7 + k) % len(author_keys)] for k in range(1 + n % 3)}
            record["authors"] = [{"key": key} for key in sorted(chosen)]
        else:
            record.pop("authors", None)
        columns[4] = json.dumps(record).encode()
        editions.append(b"\t".join(columns))
    linked_works = []
    for n, line in enumerate(works):
        columns = line.split(b"\t")
        record = json.loads(columns[4])
        record["authors"] = [{"author": {"key": author_keys[(n * 5) % len(author_keys)]}}]
        columns[4] = json.dumps(record).encode()
        linked_works.append(b"\t".join(columns))
    paths = {}
    for kind, lines in (("editions", editions), ("works", linked_works), ("authors", authors)):
        path = tmp_path / f"{kind}.txt"
        path.write_bytes(b"\n".join(lines) + b"\n")
        paths[kind] = str(path)
    return paths


def asked_isbns(editions_path: str) -> list[str]:
    """Every valid ISBN-13 the editions hold (ISBN-10s as their ISBN-13 form), sorted."""
    _report, blocks = reader.read_dump(editions_path, "edition")
    keys = [row[0] for block in blocks for row in block.rows["isbn"]]
    return sorted(set(isbn_keys.isbns_of_keys(keys)[0]))


def test_the_candidates_are_those_of_the_lookup_before_it_was_made_faster(
    load_dump, tmp_path, settings
):
    settings.OPENLIBRARY_URL = "https://openlibrary.org"
    settings.OPENLIBRARY_COVERS_URL = "https://covers.openlibrary.org"
    paths = linked_dump(tmp_path)
    load_dump(editions=paths["editions"], works=paths["works"], authors=paths["authors"])
    asked = asked_isbns(paths["editions"])

    results = OpenLibraryDumpProvider().lookup_isbns(asked)
    answer = {
        isbn13: [dataclasses.asdict(candidate) for candidate in result.candidates]
        for isbn13, result in sorted(results.items())
    }

    if os.environ.get("CANDIDATES_REFERENCE_WRITE"):
        REFERENCE.write_bytes(gzip.compress(json.dumps(answer, indent=0).encode(), mtime=0))
    reference = json.loads(gzip.decompress(REFERENCE.read_bytes()))
    assert len(asked) > 300
    found = [candidates for candidates in reference.values() if candidates]
    assert len(found) > 300
    # Every step of the cover chain is in the reference, so each is compared.
    notes = " | ".join(note for candidates in found for c in candidates for note in c["notes"])
    for step in ("from the edition", "from the work", "from sibling", "no cover in"):
        assert step in notes
    assert answer.keys() == reference.keys()
    for isbn13, candidates in answer.items():
        assert candidates == reference[isbn13], isbn13
