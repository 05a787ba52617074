import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import DataError, IntegrityError, transaction

from catalog.models import Author, Edition, Work, WorkAuthor
from catalog.selectors import works_with_display_cover
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db


def test_isbn13_is_unique_when_set_but_many_editions_may_have_none():
    work = make_work()
    make_edition(work, isbn13="9780306406157")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_edition(work, isbn13="9780306406157")
    make_edition(work, isbn13=None)
    make_edition(work, isbn13=None)
    assert work.editions.filter(isbn13__isnull=True).count() == 2


@pytest.mark.parametrize("bad", ["978030640615", "1234567890123", "978030640615X"])
def test_isbn13_column_refuses_malformed_values(bad):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_edition(isbn13=bad)


def test_isbn10_column_refuses_malformed_values():
    # PostgreSQL refuses it by length, SQLite by the check constraint: refused either way.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        make_edition(isbn13=None, isbn10="03064061521")  # the 11-digit "ISBN-10" bug
    make_edition(isbn13=None, isbn10="080442957X")


def test_openlibrary_keys_are_unique_when_set():
    Work.objects.create(title="A", openlibrary_work_key="OL1W")
    Work.objects.create(title="B")
    Work.objects.create(title="C")
    with pytest.raises(IntegrityError), transaction.atomic():
        Work.objects.create(title="D", openlibrary_work_key="OL1W")
    Author.objects.create(name="A", openlibrary_key="OL1A")
    with pytest.raises(IntegrityError), transaction.atomic():
        Author.objects.create(name="B", openlibrary_key="OL1A")


def test_author_cannot_die_before_birth():
    with pytest.raises(IntegrityError), transaction.atomic():
        Author.objects.create(name="X", birth_year=1950, death_year=1900)


def test_a_dated_edition_must_say_how_precise_its_date_is():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_edition(publication_date=datetime.date(2015, 1, 1))
    edition = make_edition(
        publication_date=datetime.date(2015, 1, 1), publication_date_precision="year"
    )
    assert edition.publication_date_display == "2015"


def test_credits_are_ordered_and_unique_per_role():
    translator = make_author("Edith Grossman")
    work = make_work("Don Quixote", authors=["Miguel de Cervantes"])
    WorkAuthor.objects.create(work=work, author=translator, role="translator", position=1)
    assert [(c.author.name, c.role) for c in work.credits.all()] == [
        ("Miguel de Cervantes", "author"),
        ("Edith Grossman", "translator"),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkAuthor.objects.create(work=work, author=translator, role="translator", position=2)


def test_lookup_keys_follow_the_name():
    work = make_work("Ninth House (Alex Stern, #1)")
    author = make_author("Bardugo, Leigh")
    assert work.title_normalized == "ninth house"
    assert author.name_normalized == "leigh bardugo"
    work.title = "Hell Bent: A Novel"
    work.save()
    assert Work.objects.get(pk=work.pk).title_normalized == "hell bent"


def test_timestamps_are_set():
    work = make_work()
    assert work.created_at and work.updated_at
    edition = make_edition(work)
    assert edition.created_at <= edition.updated_at


def test_work_shows_its_own_cover_else_an_editions(tmp_path):
    work = make_work()
    bare = make_edition(work)
    covered = make_edition(work)
    covered.cover.save("edition.jpg", ContentFile(b"edition-bytes"))
    assert work.display_cover.name == covered.cover.name
    assert bare.cover.name == ""

    annotated = works_with_display_cover().get(pk=work.pk)
    assert annotated.display_cover.name == covered.cover.name

    work.cover.save("work.jpg", ContentFile(b"work-bytes"))
    assert Work.objects.get(pk=work.pk).display_cover.name == work.cover.name


def test_work_without_any_cover_has_none():
    work = make_work()
    make_edition(work)
    assert work.display_cover is None
    assert works_with_display_cover().get(pk=work.pk).display_cover is None


def test_deleting_a_work_deletes_its_editions_and_credits_not_its_authors():
    author = make_author()
    work = make_work(authors=[author])
    make_edition(work)
    work.delete()
    assert Edition.objects.count() == 0
    assert WorkAuthor.objects.count() == 0
    assert Author.objects.filter(pk=author.pk).exists()
