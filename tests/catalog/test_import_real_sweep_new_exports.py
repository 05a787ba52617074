"""What a sweep of seven Goodreads exports new to the tests read wrongly (tests/fixtures/imports/
real_shapes, each file's source in its PROVENANCE.md): a marketplace listing's tags and author
after a title, a listing's date after the publisher, a vinyl binding, an omnibus numbered
without a parenthesis."""

import importlib

import pytest
from django.apps import apps as django_apps

from catalog.listing_suffixes import strip_listing_suffix
from catalog.models import Edition, ImportRow, Work
from tests.catalog.real_lines import credits_by_title, import_real
from tests.factories import make_work


@pytest.mark.django_db
def test_a_listings_binding_or_date_and_the_author_after_a_title_are_not_the_title():
    """`Pyjamas are Forgiving [Paperback] TWINKLE KHANNA` and `Mr Oliver's Diary [Feb 15,
    2010] Bond, Ruskin` were works of those whole titles."""
    import_real("goodreads-adityapandey-listing-tags-then-author.csv")
    assert sorted(Work.objects.values_list("title", flat=True)) == [
        "Mr Oliver's Diary",
        "Pyjamas are Forgiving",
    ]


@pytest.mark.parametrize(
    "title",
    ["गोदान [Godan]", "Word [Paperback] and the rest in lower case", "Title [Paperback] Vol 2"],
)
def test_brackets_and_words_after_them_that_are_no_listings_stay(title):
    assert strip_listing_suffix(title) == title


@pytest.mark.django_db
def test_the_migration_gives_stored_titles_with_listing_tags_and_an_author_the_new_key():
    """A work stored under the earlier rule is found by the same book's row, whose title is now
    `Pyjamas are Forgiving`; a title whose brackets are no listing's keeps its key."""
    migration = importlib.import_module(
        "catalog.migrations.0038_title_keys_listing_tags_then_author"
    )
    stored = make_work(
        "Pyjamas are Forgiving [Paperback] TWINKLE KHANNA", authors=["Twinkle Khanna"]
    )
    kept = make_work("[Oshi No Ko], Vol. 1")
    Work.objects.filter(pk=stored.pk).update(
        title_normalized="pyjamas are forgiving paperback twinkle khanna"
    )

    migration.recompute_keys(django_apps, None)

    keys = dict(Work.objects.values_list("pk", "title_normalized"))
    assert keys == {stored.pk: "pyjamas are forgiving", kept.pk: "oshi no ko vol 1"}
    job = import_real("goodreads-adityapandey-listing-tags-then-author.csv", lines=slice(0, 1))
    assert job.rows.get().matched_by == ImportRow.MatchedBy.TITLE_AUTHOR


@pytest.mark.django_db
def test_a_listings_date_after_the_publisher_is_not_its_name():
    """Publisher `Thomas Nelson Publishers (17 July 2003)` (Blue Like Jazz) was stored so."""
    import_real("goodreads-doingandlearning-publisher-date.csv")
    assert list(Edition.objects.values_list("publisher", flat=True)) == ["Thomas Nelson Publishers"]


@pytest.mark.django_db
def test_a_vinyl_binding_is_other_without_a_note():
    """Binding `Vinyl Bound` (a baby's bath book, Freddy the Frog) was "other" with an
    "Unrecognized format" note: a binding a librarian knows, of none of the formats."""
    job = import_real("goodreads-doingandlearning-vinyl-bound.csv")
    assert job.rows.filter(has_warnings=True).count() == 0
    assert list(Edition.objects.values_list("format", flat=True)) == ["other"]


@pytest.mark.django_db
def test_an_omnibus_numbered_after_its_series_name_is_in_that_series():
    """`Ethan Galaal #1-3` (books 1 to 3 in one) was in no series."""
    import_real("goodreads-chris17453-omnibus-issue-range.csv")
    assert list(Work.objects.values_list("title", "series", "series_number")) == [
        ("Ethan Galaal #1-3", "Ethan Galaal", "1-3")
    ]


@pytest.mark.django_db
def test_an_episodes_marker_before_a_quoted_title_is_not_the_title():
    """`Ep.#1.9 - "Resistance" (The Frontiers Saga Book 9)` was the title `Ep.#1.9` with the
    subtitle `"Resistance"`; the marker goes, with a warning, as `#3 - …` does."""
    job = import_real("goodreads-chris17453-episode-marker.csv")
    assert list(Work.objects.values_list("title", "subtitle", "series", "series_number")) == [
        ("Resistance", "", "The Frontiers Saga", "9")
    ]
    assert job.rows.get().has_warnings


@pytest.mark.django_db
def test_a_parenthesis_goodreads_turned_as_the_surname_stays_after_the_name():
    """Author `Addison-Wesley (C)`, Author l-f `(C), Addison-Wesley`: the sort name was `(C),
    Addison-Wesley`, filed under its parenthesis."""
    import_real("goodreads-chris17453-parenthesis-turned-as-surname.csv")
    assert credits_by_title("name", "sort_name")["Writing Windows Virtual Device Drivers"] == [
        ("Addison-Wesley (C)", "Addison-Wesley (C)"),
        ("Bryan Woodruff", ""),
    ]
