"""Library headings' life dates (`Dumas, Alexandre, 1802-1870`) in name cells: read as the
person's birth and death years, kept out of the name, and telling two people of one name
apart. Real cells and lines come from Project Gutenberg's catalog CSV in
tests/fixtures/imports/real_shapes (see its PROVENANCE.md); synthetic ones say so."""

from pathlib import Path

import pytest

from catalog import services
from catalog.importers.cells import split_people
from catalog.models import Author, ImportJob, Work
from catalog.person_names import split_life_dates
from enrichment.models import AuthorMerge
from enrichment.reconcile import author_duplicates_propose
from tests.factories import make_author, make_work

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "real_shapes"
GUTENBERG = "gutenberg-catalog-sagekhan-life-dates.csv"


@pytest.mark.parametrize(
    ("heading", "name", "birth", "death"),
    [  # real cells of the catalog
        ("Dumas, Alexandre, 1802-1870", "Dumas, Alexandre", 1802, 1870),
        ("Dumas, Alexandre, 1824-1895", "Dumas, Alexandre", 1824, 1895),
        ("Martorell, Joanot, -1468", "Martorell, Joanot", None, 1468),
        ("Smith, Joseph, Jr., 1805-1844", "Smith, Joseph, Jr.", 1805, 1844),
        ("Gan, Bao, active 317-322", "Gan, Bao", None, None),  # flourished: no birth, no death
        ("Aesop, 621? BCE-565? BCE", "Aesop", None, None),  # before the common era: no year
        # synthetic: the other ways headings write dates
        ("Woolf, Virginia, 1882-1941.", "Woolf, Virginia", 1882, 1941),
        ("King, Stephen, 1947-", "King, Stephen", 1947, None),
        ("Smith, Zadie, b. 1975", "Smith, Zadie", 1975, None),
        ("Doe, John, d. 1850", "Doe, John", None, 1850),
        ("Doe, John, fl. 1850", "Doe, John", None, None),
        # A year the heading says is a guess is none: the author's years are exact.
        ("Brown, William Wells, 1814?-1884", "Brown, William Wells", None, 1884),
        ("Doe, Jane, ca. 1500-1560", "Doe, Jane", None, 1560),
        ("Doe, Jane, ca. 1200-", "Doe, Jane", None, None),
        ("Doe, John, 1500-ca. 1560", "Doe, John", 1500, None),
        ("Doe, John, b. circa 1975", "Doe, John", None, None),
    ],
)
def test_a_headings_life_dates_are_years_not_name(heading, name, birth, death):
    dates = split_life_dates(heading)
    assert (dates.name, *dates.exact_years, dates.dated) == (name, birth, death, True)


@pytest.mark.parametrize(
    ("heading", "birth", "death"),
    [  # synthetic: the year read, and whether the heading says it is a guess
        ("Brown, William Wells, 1814?-1884", (1814, True), (1884, False)),
        ("Doe, John, 1500-ca. 1560", (1500, False), (1560, True)),
        ("Doe, John, b. circa 1975", (1975, True), (None, False)),
        ("Doe, John, d. 1850?", (None, False), (1850, True)),
        ("Doe, John, -ca. 1468", (None, False), (1468, True)),
    ],
)
def test_a_headings_guessed_year_is_read_and_said_to_be_a_guess(heading, birth, death):
    dates = split_life_dates(heading)
    assert (dates.birth_year, dates.birth_guessed) == birth
    assert (dates.death_year, dates.death_guessed) == death


@pytest.mark.parametrize(  # synthetic: names that end with a number of their own
    "name", ["Maroon 5", "Blink-182", "Jacob 2-2", "Lonely Planet, 2019", "1802-1870", "Agent 47"]
)
def test_a_name_ending_with_a_number_keeps_it(name):
    assert split_life_dates(name) == split_life_dates(name).__class__(name)


def _credits(cell: str) -> list[tuple]:
    return [(c.name, c.role, c.sort_name, c.birth_year, c.death_year) for c in split_people(cell)]


def test_a_real_cell_of_headings_is_its_people_with_their_years():
    # Each heading was three people: `Dumas`, `Alexandre` and `1802-1870`.
    assert _credits("Dumas, Alexandre, 1802-1870; Maquet, Auguste, 1813-1888") == [
        ("Alexandre Dumas", "author", "Dumas, Alexandre", 1802, 1870),
        ("Auguste Maquet", "author", "Maquet, Auguste", 1813, 1888),
    ]
    assert _credits("Smith, Joseph, Jr., 1805-1844") == [
        ("Joseph Smith Jr.", "author", "Smith, Joseph, Jr.", 1805, 1844)
    ]
    assert _credits("Eliot, T. S. (Thomas Stearns), 1888-1965") == [
        ("T. S. Eliot", "author", "Eliot, T. S.", 1888, 1965)
    ]
    assert _credits("Martorell, Joanot, -1468; Rudder, Robert S. [Translator]") == [
        ("Joanot Martorell", "author", "Martorell, Joanot", None, 1468),
        ("Robert S. Rudder", "translator", "Rudder, Robert S.", None, None),
    ]
    assert _credits("Aesop, 621? BCE-565? BCE; Townsend, George Fyler, 1814-1900 [Translator]") == [
        ("Aesop", "author", "", None, None),
        ("George Fyler Townsend", "translator", "Townsend, George Fyler", 1814, 1900),
    ]
    # synthetic: a generation word after a sort name is one person too, dated or not
    assert _credits("King, Martin Luther, Jr.") == [
        ("Martin Luther King Jr.", "author", "King, Martin Luther, Jr.", None, None)
    ]


def import_gutenberg() -> ImportJob:
    data = (REAL / GUTENBERG).read_bytes()
    job = services.import_job_create(
        data=data,
        filename=GUTENBERG,
        enrich=False,
        requested_format="generic",
        column_map={"title": "Title", "author": "Authors", "language": "Language"},
    )
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMPLETED, job.error
    return job


@pytest.mark.django_db
def test_importing_the_catalog_credits_dumas_pere_and_dumas_fils_apart_with_their_years():
    existing = make_author("Mark Twain")  # the catalog's, without years: they are filled
    dated = make_author("Virginia Woolf", birth_year=1882, death_year=1940)  # hers are kept

    job = import_gutenberg()

    assert job.failed_count == 0
    assert not Author.objects.filter(name__regex=r"\d").exists()  # no `1802-1870` author
    pere, fils = Author.objects.filter(name="Alexandre Dumas").order_by("birth_year")
    assert (pere.birth_year, pere.death_year, pere.sort_name) == (1802, 1870, "Dumas, Alexandre")
    assert (fils.birth_year, fils.death_year) == (1824, 1895)
    credited = {
        title: list(Work.objects.get(title=title).authors.values_list("pk", flat=True))
        for title in ("The Count of Monte Cristo", "Ten Years Later", "La dame aux camélias")
    }
    assert credited["The Count of Monte Cristo"][0] == pere.pk
    assert credited["Ten Years Later"] == [pere.pk]
    assert credited["La dame aux camélias"] == [fils.pk]
    assert Work.objects.get(title__startswith="Camille").authors.get() == fils
    existing.refresh_from_db()
    assert (existing.birth_year, existing.death_year) == (1835, 1910)
    dated.refresh_from_db()
    assert (dated.birth_year, dated.death_year) == (1882, 1940)  # never overwritten
    assert Author.objects.get(name="Aesop").birth_year is None

    import_gutenberg()  # again: each heading finds its own author
    assert Author.objects.filter(name="Alexandre Dumas").count() == 2


@pytest.mark.django_db
def test_headings_with_years_decades_apart_are_not_proposed_for_merging():
    """Two authors stored under headings (as an import that kept them whole did), sharing a
    work: their names agree once the dates are dropped, their years say two people."""
    pere = make_author("Dumas, Alexandre, 1802-1870")
    fils = make_author("Dumas, Alexandre, 1824-1895")
    make_work("synthetic-Théâtre", authors=[pere])
    make_work("synthetic-Théâtre", authors=[fils])

    result = author_duplicates_propose()

    assert (result.proposed, result.conflicting_years) == (0, 1)
    assert not AuthorMerge.objects.exists()


@pytest.mark.django_db
def test_a_guessed_life_year_is_not_stored_as_an_exact_one():
    """synthetic: a heading whose birth year is a guess, `ca. 1200-`: the author was stored born
    in 1200 exactly, so a source's 1205 for the same person read as another person (years
    more than one apart), and enrichment took the guess for a fact. The import keeps the name
    and no guessed year (the catalog's years are exact: a guess needs the date that says so)."""
    data = b'Title,Author\nsynthetic-Chronicle,"Doe, Jane, ca. 1200-"\n'
    job = services.import_job_create(
        data=data,
        filename="synthetic-headings.csv",
        requested_format="generic",
        column_map={"title": "Title", "author": "Author"},
        enrich=False,
    )
    services.import_job_run(job=job)
    author = Author.objects.get()
    assert (author.name, author.sort_name, author.birth_year, author.death_year) == (
        "Jane Doe",
        "Doe, Jane",
        None,
        None,
    )
