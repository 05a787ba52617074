"""Fixtures shared by the catalog tests."""

import pytest

from catalog.models import ImportRow
from tests.catalog.import_rows_view_support import run, synthetic_export, user_with
from tests.factories import make_edition, make_work


@pytest.fixture
def mixed_job():
    """A finished job with a created, an updated, a duplicate, a failed and a warning row."""
    knife = make_work("The Subtle Knife", authors=["Philip Pullman"])
    bare = make_edition(knife, publisher="")
    full = make_edition(knife, publisher="Knopf")
    alice = user_with("alice", "import_books")
    job = run(
        synthetic_export(
            {"Title": "A New Book", "Author": "Ann Author"},  # line 2: created
            {"Title": "The Subtle Knife", "Author": "Philip Pullman", "ISBN13": bare.isbn13,
             "Publisher": "Scholastic"},  # line 3: updated (gains a publisher)
            {"Title": "The Subtle Knife", "Author": "Philip Pullman", "ISBN13": full.isbn13,
             "Publisher": "Knopf"},  # line 4: duplicate
            {"Book Id": "77", "Author": "Nobody, Really"},  # line 5: failed, no title
            {"Title": "Damaged Isbn", "Author": "Sheet Spread",
             "ISBN13": "9.78053E+12"},  # line 6: created, with a warning
        ),
        uploaded_by=alice,
    )  # fmt: skip
    # What the matching code records (set here so the page is tested on its own).
    job.rows.filter(line_number__in=[3, 4]).update(matched_by=ImportRow.MatchedBy.ISBN)
    assert [job.created_count, job.updated_count, job.duplicate_count, job.failed_count] == [
        2,
        1,
        1,
        1,
    ]
    return job
