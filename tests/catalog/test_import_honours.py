"""A title of honour in a credited name (`Sir`, `Dame`, `graf`: catalog.name_order.HONOURS): one
person with or without it, in the import and in the stored authors' keys."""

import importlib

import pytest
from django.apps import apps as django_apps

from catalog.models import Author, WorkAuthor
from catalog.person_names import name_as_written
from catalog.text import normalize_person_name
from tests.catalog.real_lines import import_real
from tests.catalog.test_import_real_lines import import_synthetic
from tests.factories import make_author

GUTENBERG_MAP = {"title": "Title", "author": "Authors", "language": "Language"}


@pytest.mark.django_db
def test_a_headings_title_of_honour_without_dates_is_one_person_not_three():
    """Project Gutenberg's `Mandeville, John, Sir` credited three authors, "Mandeville", "John"
    and "Sir": the heading's commas were read as a list, its title of honour a person."""
    import_real(
        "gutenberg-catalog-sagekhan-honour-without-dates.csv",
        requested_format="generic",
        column_map=GUTENBERG_MAP,
    )
    credits = WorkAuthor.objects.values_list("author__name", "author__sort_name", "role")
    assert list(credits) == [("John Mandeville", "Mandeville, John", "author")]


@pytest.mark.parametrize(
    ("heading", "written"),
    [
        ("Tolstoy, Leo, graf", "Leo Tolstoy"),  # as Project Gutenberg files him, undated
        ("Tolstoy, Leo, graf, 1828-1910", "Leo Tolstoy"),
        ("Lytton, Edward Bulwer Lytton, Baron, 1803-1873", "Edward Bulwer Lytton"),
        ("Mandeville, John, Sir", "John Mandeville"),
        ("Dunsany, Lord", "Lord Dunsany"),  # a byname: the title is how he is known
    ],
)
def test_a_title_of_nobility_is_no_part_of_the_name_a_librarian_sees(heading, written):
    """`Tolstoy, Leo, graf` was shown and sent to providers as written, the heading whole."""
    assert name_as_written(heading) == written


@pytest.mark.django_db
def test_sir_before_a_name_credits_the_same_author_as_the_name_alone():
    """`Sir Arthur Conan Doyle` and `Arthur Conan Doyle` were two authors of one person, each
    with half his books (written here: the cells Goodreads and other catalogs give him)."""
    import_synthetic("Title,Author\nA Study in Scarlet,Arthur Conan Doyle\n", "synthetic-a.csv")
    import_synthetic(
        "Title,Author\nThe Sign of the Four,Sir Arthur Conan Doyle\n"
        'The Lost World,"Doyle, Sir Arthur Conan"\n',
        "synthetic-b.csv",
    )
    assert Author.objects.count() == 1
    assert WorkAuthor.objects.values("author").distinct().count() == 1
    # A title before one word is how that person is known, and stays in the key.
    assert normalize_person_name("Lady Gregory") == "lady gregory"


@pytest.mark.django_db
def test_the_migration_gives_stored_names_with_a_title_of_honour_the_key_without_it():
    migration = importlib.import_module("catalog.migrations.0037_author_keys_honours")
    sir = make_author("Sir Walter Scott")
    dame = make_author("Dame Edith Sitwell")
    lady = make_author("Lady Gregory")
    other = make_author("Siri Hustvedt")
    # As the earlier rule keyed them.
    Author.objects.filter(pk=sir.pk).update(name_normalized="sir walter scott")
    Author.objects.filter(pk=dame.pk).update(name_normalized="dame edith sitwell")

    migration.recompute_keys(django_apps, None)

    keys = dict(Author.objects.values_list("name", "name_normalized"))
    assert keys == {
        "Sir Walter Scott": "walter scott",
        "Dame Edith Sitwell": "edith sitwell",
        "Lady Gregory": "lady gregory",
        "Siri Hustvedt": "siri hustvedt",
    }
    assert {sir.pk, dame.pk, lady.pk, other.pk} == set(Author.objects.values_list("pk", flat=True))
    # An import of the name without the title finds him (a synthetic file).
    import_synthetic("Title,Author\nIvanhoe,Walter Scott\n", "synthetic-scott.csv")
    assert WorkAuthor.objects.get(work__title="Ivanhoe").author_id == sir.pk


@pytest.mark.django_db
def test_a_peers_heading_is_the_peer_without_the_titles_name_written_twice():
    """Project Gutenberg files peers as `Lytton, Edward Bulwer Lytton, Baron, 1803-1873`: the
    given names end with the title's name. The Last Days of Pompeii was by "Edward Bulwer
    Lytton Lytton", The Scarlet Pimpernel by "Emmuska Orczy Orczy". Edwin Abbott Abbott, whose
    heading names no title, keeps his name."""
    import_real(
        "gutenberg-catalog-sagekhan-peers.csv",
        requested_format="generic",
        column_map=GUTENBERG_MAP,
    )
    credits = dict(WorkAuthor.objects.values_list("work__title", "author__name"))
    assert credits == {
        "The Last Days of Pompeii": "Edward Bulwer Lytton",
        "Idylls of the King": "Alfred Tennyson",
        "The Scarlet Pimpernel": "Emmuska Orczy",
        "Flatland": "Edwin Abbott Abbott",
    }
    assert name_as_written("Lytton, Edward Bulwer Lytton, Baron, 1803-1873") == (
        "Edward Bulwer Lytton"
    )


@pytest.mark.django_db
def test_the_migration_gives_a_peer_stored_with_the_titles_name_twice_his_name():
    migration = importlib.import_module("catalog.migrations.0037_author_keys_honours")
    import_real(
        "gutenberg-catalog-sagekhan-peers.csv",
        requested_format="generic",
        column_map=GUTENBERG_MAP,
    )
    # As the earlier rule named them.
    lytton = Author.objects.get(name="Edward Bulwer Lytton")
    Author.objects.filter(pk=lytton.pk).update(
        name="Edward Bulwer Lytton Lytton",
        sort_name="Lytton, Edward Bulwer Lytton",
        name_normalized="edward bulwer lytton lytton",
    )

    migration.recompute_keys(django_apps, None)

    stored = Author.objects.values_list("name", "sort_name", "name_normalized")
    assert set(stored) == {
        ("Edward Bulwer Lytton", "Lytton, Edward Bulwer", "edward bulwer lytton"),
        ("Alfred Tennyson", "Tennyson, Alfred", "alfred tennyson"),
        ("Emmuska Orczy", "Orczy, Emmuska", "emmuska orczy"),
        # No title in his heading: his own name.
        ("Edwin Abbott Abbott", "Abbott, Edwin Abbott", "edwin abbott abbott"),
    }
