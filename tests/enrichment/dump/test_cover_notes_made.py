"""A batch of the local dump's candidates makes each cover-chain note once (issue 18, goal 4:
1,000 ISBNs < 50 ms, candidates included): two of the chain's four notes are the same for
every candidate, and making a note cost more than the rest of a candidate's notes."""

from enrichment.candidate_notes import Note
from enrichment.dump import lookup
from enrichment.providers import openlibrary_dump


def _match(isbn13: str, edition_id: int, work_id: int, cover_from: str) -> lookup.EditionMatch:
    edition = lookup.DumpEdition(
        edition_id=edition_id, work_id=work_id, title=f"Book {edition_id}", subtitle="",
        author_ids=[], publisher="", publish_date="", page_count=None, language="",
        physical_format="", cover_ids=[edition_id] if cover_from else [], isbn_keys=[],
        catalogue_fields={},
    )  # fmt: skip
    cover_ids = [edition_id] if cover_from else []
    return lookup.EditionMatch(isbn13, edition, cover_ids=cover_ids, cover_from=cover_from)


def test_a_batch_makes_each_cover_note_once(monkeypatch):
    made: list[str] = []
    real_note = openlibrary_dump.note

    def note(message: str, **values: str) -> Note:
        made.append(message)
        return real_note(message, **values)

    monkeypatch.setattr(openlibrary_dump, "note", note)
    matches = {
        "9780000000001": [_match("9780000000001", 1, 11, lookup.COVER_FROM_EDITION)],
        "9780000000002": [_match("9780000000002", 2, 12, lookup.COVER_FROM_EDITION)],
        "9780000000003": [_match("9780000000003", 3, 13, "")],
        "9780000000004": [_match("9780000000004", 4, 14, "")],
        "9780000000005": [_match("9780000000005", 5, 15, lookup.COVER_FROM_WORK)],
        "9780000000006": [_match("9780000000006", 6, 16, lookup.COVER_FROM_WORK)],
    }
    urls = openlibrary_dump.RecordUrls("https://openlibrary.org", "https://covers.openlibrary.org")

    settled = openlibrary_dump.settled_candidates(list(matches), matches, urls)

    notes = [candidate.notes[0] for [candidate] in settled.values()]
    assert notes == [
        "cover from the edition",
        "cover from the edition",
        "no cover in the edition, its work or another edition of the work",
        "no cover in the edition, its work or another edition of the work",
        "cover from the work OL15W",
        "cover from the work OL16W",
    ]
    assert [note.values for note in notes[4:] if isinstance(note, Note)] == [
        {"work": "OL15W"},
        {"work": "OL16W"},
    ]
    assert len(made) == 4  # the edition's and no cover's once each, each work's own
