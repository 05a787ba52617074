"""Works known by their Open Library key only: the reading log before 2022 names no title, so a
new book takes its key as a placeholder title, flagged as such; the first later row that names
the real title (found by the Open Library key, an ISBN…) replaces it and clears the flag, and
nothing brings the placeholder back. A placeholder title never matches by title and author.

Every file here is synthetic, built in the test in the shape of the real exports."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog import services
from catalog.models import Edition, ImportJob, ImportRow, Work, WorkSeries
from tests.catalog.test_importers import GOODREADS_24
from tests.catalog.test_importers_formats import (
    BOOKWYRM,
    OPENLIBRARY,
    OPENLIBRARY_CURRENT,
    synthetic_file,
)
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
WORKS_URL = reverse("admin:catalog_work_changelist")


def run_import(data: bytes, **kwargs) -> ImportJob:
    job = services.import_job_create(
        data=data, filename="synthetic-export.csv", enrich=False, **kwargs
    )
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMPLETED, job.error
    return job


def key_only_log() -> bytes:
    return synthetic_file(
        OPENLIBRARY,
        {"Work Id": "OL9000001W", "Edition Id": "", "Bookshelf": "Want to Read"},
        {"Work Id": "OL9000002W", "Edition Id": "OL9000002M", "Bookshelf": "Already Read"},
        {"Work Id": "", "Edition Id": "OL9000003M", "Bookshelf": "Currently Reading"},
    )


def current_log() -> bytes:
    return synthetic_file(
        OPENLIBRARY_CURRENT,
        {
            "Work ID": "OL9000001W",
            "Title": "synthetic-Anathem: A Novel",
            "Authors": "Neal Stephenson",
            "First Publish Year": "2008",
            "Bookshelf": "Want to Read",
        },
        {
            "Work ID": "OL9000002W",
            "Title": "synthetic-The Left Hand of Darkness (Hainish Cycle, #4)",
            "Authors": "Ursula K. Le Guin",
            "Edition ID": "OL9000002M",
            "Bookshelf": "Already Read",
        },
        {  # found by its edition key alone
            "Work ID": "",
            "Title": "synthetic-Kindred",
            "Authors": "Octavia E. Butler",
            "Edition ID": "OL9000003M",
            "Bookshelf": "Currently Reading",
        },
    )


def goodreads_row(cells: dict[str, str]) -> bytes:
    return synthetic_file(GOODREADS_24.split(","), cells)


def placeholder_works() -> dict[str, Work]:
    run_import(key_only_log())
    return {work.title: work for work in Work.objects.all()}


def test_a_key_only_reading_log_makes_works_flagged_as_placeholders():
    works = placeholder_works()
    assert sorted(works) == ["OL9000001W", "OL9000002W", "OL9000003M"]
    assert all(work.title_is_placeholder for work in works.values())
    # The key is the work's stand-in title, not an edition's own title.
    assert Edition.objects.get(openlibrary_edition_key="OL9000002M").title == ""
    assert not works["OL9000001W"].credits.exists()


def test_the_current_reading_log_names_the_same_works_and_clears_the_flag():
    works = placeholder_works()
    job = run_import(current_log())

    assert Work.objects.count() == 3 and job.created_count == 0
    assert job.updated_count == 3
    anathem = Work.objects.get(pk=works["OL9000001W"].pk)
    assert (anathem.title, anathem.subtitle) == ("synthetic-Anathem", "A Novel")
    assert anathem.title_normalized == "synthetic anathem"
    assert not anathem.title_is_placeholder and anathem.first_published_year == 2008
    # The key-only log named nobody: the work takes the row's authors too.
    assert [c.author.name for c in anathem.credits.all()] == ["Neal Stephenson"]
    left_hand = Work.objects.get(pk=works["OL9000002W"].pk)
    assert left_hand.title == "synthetic-The Left Hand of Darkness"
    assert (left_hand.series, left_hand.series_number) == ("Hainish Cycle", "4")
    assert list(left_hand.series_entries.values_list("name", "number")) == [("Hainish Cycle", "4")]
    kindred = Work.objects.get(pk=works["OL9000003M"].pk)
    assert (kindred.title, kindred.title_is_placeholder) == ("synthetic-Kindred", False)
    rows = {row.line_number: row for row in job.rows.all()}
    assert rows[2].matched_by == rows[3].matched_by == ImportRow.MatchedBy.OPENLIBRARY_ID
    # The key and the title disagree only because the title was unknown: no warning.
    assert all(row.messages == [] for row in rows.values())


def test_a_goodreads_row_with_the_isbn_of_a_placeholder_work_names_it():
    """Goodreads has no Open Library keys: its row finds the book by an ISBN the work's edition
    gained meanwhile (from enrichment or a librarian)."""
    works = placeholder_works()
    edition = Edition.objects.get(openlibrary_edition_key="OL9000002M")
    Edition.objects.filter(pk=edition.pk).update(isbn13="9780441478125")
    job = run_import(
        goodreads_row(
            {
                "Book Id": "18423",
                "Title": "synthetic-The Left Hand of Darkness",
                "Author": "Ursula K. Le Guin",
                "ISBN13": '="9780441478125"',
                "Publisher": "Ace",
            }
        )
    )
    row = job.rows.get()
    assert (row.status, row.matched_by) == (ImportRow.Status.UPDATED, ImportRow.MatchedBy.ISBN)
    assert row.work_id == works["OL9000002W"].pk and row.messages == []
    work = Work.objects.get(pk=row.work_id)
    assert (work.title, work.title_is_placeholder) == ("synthetic-The Left Hand of Darkness", False)
    assert Edition.objects.get(pk=edition.pk).publisher == "Ace"


def test_a_bookwyrm_row_with_the_open_library_edition_key_names_it():
    works = placeholder_works()
    job = run_import(
        synthetic_file(
            BOOKWYRM,
            {
                "title": "synthetic-Kindred",
                "author_text": "Octavia E. Butler",
                "remote_id": "https://example.com/book/1",
                "openlibrary_key": "OL9000003M",
            },
        )
    )
    row = job.rows.get()
    assert row.work_id == works["OL9000003M"].pk and row.status == ImportRow.Status.UPDATED
    assert Work.objects.get(pk=row.work_id).title == "synthetic-Kindred"


def test_reimporting_the_key_only_log_does_not_bring_the_placeholders_back():
    placeholder_works()
    run_import(current_log())
    named = {work.pk: (work.title, work.title_normalized) for work in Work.objects.all()}
    assert all(title.startswith("synthetic-") for title, _normalized in named.values())

    again = run_import(key_only_log())

    assert again.created_count == 0 and again.duplicate_count == 3
    assert {work.pk: (work.title, work.title_normalized) for work in Work.objects.all()} == named
    assert not Work.objects.filter(title_is_placeholder=True).exists()


def test_a_work_with_a_real_title_never_gets_a_placeholder():
    work = make_work("synthetic-Anathem", authors=["Neal Stephenson"])
    Work.objects.filter(pk=work.pk).update(openlibrary_work_key="OL9000001W")
    job = run_import(key_only_log())
    assert job.rows.get(line_number=2).work_id == work.pk
    work.refresh_from_db()
    assert (work.title, work.title_is_placeholder) == ("synthetic-Anathem", False)


def test_a_placeholder_title_never_matches_by_title_and_author():
    """Even a placeholder work a librarian gave an author is not found by its stand-in title: a
    row with that text as its title is another book."""
    placeholder = make_work("OL9000001W", authors=["Ann Author"], title_is_placeholder=True)
    job = run_import(goodreads_row({"Title": "OL9000001W", "Author": "Ann Author"}))
    row = job.rows.get()
    assert row.status == ImportRow.Status.CREATED and row.work_id != placeholder.pk
    created = Work.objects.get(pk=row.work_id)
    assert not created.title_is_placeholder  # a title read from the file is a real one


def test_a_row_naming_a_placeholder_work_leaves_credits_and_series_set_by_hand():
    """The placeholder title counts as empty; what a librarian filled in does not."""
    work = make_work("OL9000002W", authors=["Ursula Le Guin"], title_is_placeholder=True)
    Work.objects.filter(pk=work.pk).update(
        openlibrary_work_key="OL9000002W", series="Hainish Cycle", series_number="4"
    )
    WorkSeries.objects.create(work=work, name="Hainish Cycle", number="4")
    job = run_import(current_log())
    row = job.rows.get(line_number=3)
    assert row.status == ImportRow.Status.UPDATED and row.work_id == work.pk, row.error
    work.refresh_from_db()
    assert (work.title, work.title_is_placeholder) == ("synthetic-The Left Hand of Darkness", False)
    assert [c.author.name for c in work.credits.all()] == ["Ursula Le Guin"]
    assert list(work.series_entries.values_list("name", "number")) == [("Hainish Cycle", "4")]


# --- The Work admin ------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The values a browser would post from the page's change form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file", "checkbox"):
            self.data[name] = attrs.get("value") or ""
        elif tag == "input" and name and "checked" in attrs:
            self.data[name] = "on"
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.lstrip("\n")


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    return client


def test_the_work_admin_marks_placeholder_titles_in_the_list_and_on_the_page(superuser_client):
    placeholder = make_work("OL9000001W", title_is_placeholder=True)
    make_edition(placeholder)
    make_work("synthetic-Known Title", authors=["Ann Author"])

    page = superuser_client.get(WORKS_URL).content.decode()
    assert page.count('<span class="title-placeholder"') == 1
    assert "OL9000001W" in page and "title not known yet" in page
    change = reverse("admin:catalog_work_change", args=[placeholder.pk])
    assert "title not known yet" in superuser_client.get(change).content.decode()
    editions = superuser_client.get(reverse("admin:catalog_edition_changelist")).content.decode()
    assert "title not known yet" in editions  # an edition without a title of its own

    known = Work.objects.get(title="synthetic-Known Title")
    known_page = reverse("admin:catalog_work_change", args=[known.pk])
    assert "title not known yet" not in superuser_client.get(known_page).content.decode()


def test_a_title_typed_by_a_librarian_clears_the_placeholder_flag(superuser_client):
    work = make_work("OL9000001W", title_is_placeholder=True)
    change = reverse("admin:catalog_work_change", args=[work.pk])
    form = FormFields()
    form.feed(superuser_client.get(change).content.decode())

    response = superuser_client.post(change, {**form.data, "subtitle": "Hand Subtitle"})
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.title_is_placeholder  # the title itself was not touched

    response = superuser_client.post(change, {**form.data, "title": "synthetic-Anathem"})
    assert response.status_code == 302
    work.refresh_from_db()
    assert (work.title, work.title_is_placeholder) == ("synthetic-Anathem", False)
