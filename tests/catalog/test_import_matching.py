"""Issue 12, item 7: rows are matched right against the catalog (subtitles, whole titles,
ISBNs and Goodreads ids), and every match records its key.

Every row here is synthetic, written in the shape of the real exports the issue names
(Goodreads 24/31-column, StoryGraph); no value is copied from someone's file.
"""

from pathlib import Path

import pytest

from catalog import services
from catalog.models import Author, Edition, ImportRow, Work
from tests.catalog.import_rows import goodreads_file, goodreads_row, run_import
from tests.factories import make_edition, make_work

REAL_SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "real_shapes"


@pytest.mark.django_db
def test_two_books_whose_subtitles_differ_stay_two_works():
    data = goodreads_file(
        goodreads_row(
            Book_Id="11",
            Title="Ich habe eine Axt - Urlaub in den Misantropen",
            Author="Synthetic Autor",
            ISBN13='="9783161484100"',
        ),
        goodreads_row(
            Book_Id="12",
            Title="Ich habe eine Axt – Best Of",
            Author="Synthetic Autor",
            ISBN13='="9780306406157"',
        ),
    )
    job = run_import(data)
    assert job.created_count == 2
    works = Work.objects.order_by("subtitle")
    assert [(w.title, w.subtitle) for w in works] == [
        ("Ich habe eine Axt", "Best Of"),
        ("Ich habe eine Axt", "Urlaub in den Misantropen"),
    ]
    assert all(w.editions.count() == 1 for w in works)


@pytest.mark.django_db
def test_a_work_stored_with_its_subtitle_in_the_title_is_not_merged_with_another():
    # Imported before subtitles were split at a dash: the subtitle sits in the title.
    old = make_work("Ich habe eine Axt - Urlaub in den Misantropen", authors=["Synthetic Autor"])
    make_edition(old, isbn13="9783161484100")
    data = goodreads_file(
        goodreads_row(
            Title="Ich habe eine Axt – Best Of", Author="Synthetic Autor", ISBN13='="9780306406157"'
        )
    )
    job = run_import(data)
    assert job.created_count == 1
    assert Edition.objects.get(isbn13="9780306406157").work != old


@pytest.mark.django_db
def test_two_isbns_with_different_whole_titles_never_merge_but_the_same_title_does():
    work = make_work("Synthetic Tale", authors=["Synthetic Author"])
    make_edition(work, isbn13="9783161484100")
    data = goodreads_file(
        # Another edition of the same book: the same title, its own ISBN.
        goodreads_row(Title="Synthetic Tale", Author="Synthetic Author", ISBN13='="9780306406157"'),
        # Another book: a subtitle the work lacks, and its own ISBN.
        goodreads_row(
            Title="Synthetic Tale: The Sequel", Author="Synthetic Author", ISBN13='="9781861972712"'
        ),
        # No ISBN: nothing tells it apart, so the title and author decide (as before).
        goodreads_row(Title="Synthetic Tale: A Novel", Author="Synthetic Author"),
    )
    job = run_import(data)
    rows = list(job.rows.order_by("line_number"))
    assert (rows[0].status, rows[0].work, rows[0].matched_by) == ("updated", work, "title_author")
    assert rows[1].status == "created" and rows[1].work != work
    assert rows[2].work == work and rows[2].matched_by == "title_author"


@pytest.mark.django_db
def test_goodreads_ids_tell_two_books_apart_like_isbns():
    data = goodreads_file(
        goodreads_row(Book_Id="31", Title="Synthetic Border - Part One", Author="A. Writer"),
        goodreads_row(Book_Id="32", Title="Synthetic Border", Author="A. Writer"),
        goodreads_row(Book_Id="33", Title="Synthetic Border – Part One", Author="A. Writer"),
    )
    job = run_import(data)
    rows = list(job.rows.order_by("line_number"))
    assert [row.status for row in rows] == ["created", "created", "updated"]
    assert rows[2].work == rows[0].work and rows[2].matched_by == "earlier_row"
    assert rows[1].work != rows[0].work


@pytest.mark.django_db
def test_an_isbn_shared_with_another_book_warns_naming_both():
    work = make_work("The Subtle Knife", authors=["Philip Pullman"])
    make_edition(work, isbn13="9780306406157")
    data = goodreads_file(
        goodreads_row(
            Book_Id="9", Title="Nine Digit Book", Author="Other Author", ISBN13='="9780306406157"'
        ),
        # A decorated title by the same author: the same book, no warning.
        goodreads_row(
            Title="The Subtle Knife (His Dark Materials, #2)",
            Author="Philip Pullman",
            ISBN13='="9780306406157"',
        ),
    )
    job = run_import(data)
    mismatch, same = job.rows.order_by("line_number")
    assert mismatch.work == work and mismatch.matched_by == ImportRow.MatchedBy.ISBN
    assert mismatch.messages == [
        "ISBN 9780306406157 is already in the catalog as 'The Subtle Knife' by Philip Pullman; "
        "this row says 'Nine Digit Book' by Other Author."
    ]
    assert same.messages == [] and same.matched_by == ImportRow.MatchedBy.ISBN
    assert Work.objects.count() == 1


@pytest.mark.django_db
def test_every_match_records_its_key():
    by_goodreads = make_edition(
        make_work("Synthetic G", authors=["G. Writer"]), isbn13=None, goodreads_book_id="4242"
    )
    by_asin = make_edition(
        make_work("Synthetic A", authors=["A. Writer"]), isbn13=None, asin="B07MNWKF2M"
    )
    data = goodreads_file(
        goodreads_row(Book_Id="4242", Title="Synthetic G", Author="G. Writer"),
        goodreads_row(Title="Synthetic A", Author="A. Writer", ISBN="B07MNWKF2M"),
        goodreads_row(
            Book_Id="77", Title="Synthetic New", Author="N. Writer", ISBN13='="9780306406157"'
        ),
        goodreads_row(
            Book_Id="78", Title="Synthetic New", Author="N. Writer", ISBN13='="9780306406157"'
        ),
        goodreads_row(Title="Synthetic New", Author="N. Writer"),
    )
    job = run_import(data)
    rows = list(job.rows.order_by("line_number"))
    assert [(r.status, r.matched_by) for r in rows] == [
        ("duplicate", "goodreads_id"),
        ("duplicate", "asin"),
        ("created", ""),
        ("duplicate", "earlier_row"),
        ("duplicate", "earlier_row"),
    ]
    assert rows[0].edition == by_goodreads and rows[1].edition == by_asin
    assert rows[3].edition == rows[2].edition and rows[4].work == rows[2].work


@pytest.mark.django_db
def test_a_book_created_by_an_earlier_batch_of_the_same_file_is_an_earlier_row(monkeypatch):
    monkeypatch.setattr(services.jobs, "IMPORT_BATCH_SIZE", 2)
    row = goodreads_row(
        Book_Id="5", Title="Synthetic Twice", Author="A. Writer", ISBN13='="9780306406157"'
    )
    other = goodreads_row(Book_Id="6", Title="Synthetic Other", Author="B. Writer")
    job = run_import(goodreads_file(row, other, row))
    assert job.rows.get(line_number=4).matched_by == ImportRow.MatchedBy.EARLIER_ROW
    again = run_import(goodreads_file(row))
    assert again.rows.get().matched_by == ImportRow.MatchedBy.ISBN


@pytest.mark.django_db
def test_a_new_author_keeps_the_first_spelling_a_file_gives():
    """Real lines (tests/fixtures/imports/real_shapes): `Martin Rhonheimer` on line 2, then
    `Martin. Rhonheimer`. One author, named as the first row names him, as an author created
    by an earlier batch keeps its name."""
    data = (REAL_SHAPES / "goodreads-salvodif-two-spellings.csv").read_bytes()
    job = services.import_job_create(data=data, filename="salvodif.csv", enrich=False)
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert job.created_count == 2
    assert list(Author.objects.values_list("name", "sort_name")) == [
        ("Martin Rhonheimer", "Rhonheimer, Martin")
    ]
