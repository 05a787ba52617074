"""Goodreads' Additional Authors that are the author's own name written another way, in other
people's real exports (tests/fixtures/imports/real_shapes, each file's source in its
PROVENANCE.md)."""

import pytest

from catalog.importers.goodreads import without_degree
from catalog.models import ImportRow, Work, WorkAuthor
from catalog.person_names import is_name_written_otherwise
from tests.catalog.real_lines import import_real


def credits_of(title: str) -> list[tuple[str, str]]:
    work = Work.objects.get(title__startswith=title)
    return [(c.author.name, c.role) for c in work.credits.select_related("author")]


@pytest.mark.django_db
def test_the_authors_name_in_another_script_is_not_a_second_person():
    """A Greek reader's export: `Κωστάκης Ανάν` with `Kostakis Anan` in Additional Authors (and
    Sotos Anagnos, a second person), `Dido Sotiriou` with `Διδώ Σωτηρίου`, and `Mikhail
    Bulgakov` with `Михаил Афанасьевич Булгаков`. Each name was a contributor of its own book,
    an author record of its own."""
    job = import_real("goodreads-psilolouben-author-in-two-scripts.csv")
    assert credits_of("Φορμόλη") == [
        ("Κωστάκης Ανάν", "author"),
        ("Sotos Anagnos", "contributor"),
    ]
    assert credits_of("Ματωμένα χώματα") == [("Dido Sotiriou", "author")]
    assert credits_of("Александр Пушкин") == [("Mikhail Bulgakov", "author")]
    formoli = ImportRow.objects.get(job=job, line_number=2)
    assert formoli.messages == [
        "Additional Authors 'Kostakis Anan' was read as Κωστάκης Ανάν's name written another "
        "way, not a second person's; it was not credited."
    ]
    # The author's name as written, repeated in Additional Authors, adds nothing, unsaid.
    assert credits_of("Locke & Key, Vol. 1") == [
        ("Joe Hill", "author"),
        ("Robert Crais", "contributor"),
    ]
    assert ImportRow.objects.get(job=job, line_number=5).messages == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "title", "author"),
    [
        (
            "goodreads-genekaufman-middle-initial-left-out.csv",
            "We Are Legion (We Are Bob)",
            "Dennis E. Taylor",
        ),
        ("goodreads-gigikenneth-given-name-as-initial.csv", "Madness", "Zac Brewer"),
    ],
)
def test_the_authors_name_with_initials_or_without_a_middle_name_is_not_a_second_person(
    name, title, author
):
    """`Dennis E. Taylor` with `Dennis  Taylor`; `Zac Brewer` with `Z Brewer`."""
    import_real(name)
    assert credits_of(title) == [(author, "author")]


@pytest.mark.django_db
def test_relatives_and_an_authors_initials_in_additional_authors():
    """`V.E. Schwab` with `Victoria Schwab` is one person; Arkady Strugatsky's brother Boris
    and J.R.R. Tolkien's son Christopher share a surname and are credited as before."""
    import_real("goodreads-bernardkung-author-and-relatives.csv")
    assert credits_of("A Gathering of Shadows") == [("V.E. Schwab", "author")]
    assert ("Boris Strugatsky", "contributor") in credits_of("Roadside Picnic")
    assert ("Christopher Tolkien", "contributor") in credits_of("The Silmarillion")


@pytest.mark.parametrize(
    ("name", "other", "same"),
    [
        ("Ursula K. Le Guin", "Ursula Le Guin", True),
        ("Ursula K. Le Guin", "Charles Le Guin", False),
        ("Hans Rosling", "Ola Rosling", False),
        ("Jonathan Kellerman", "Jesse Kellerman", False),
        ("Jeanne Wakatsuki Houston", "James D. Houston", False),
        ("Tolkien", "Tolkien", False),  # a surname alone says too little
        ("Sergei Lukyanenko", "Сергей Лукьяненко", False),  # another spelling: not read as one
        ("Hiroshi Sakurazaka", "桜坂洋", False),
    ],
)
def test_is_name_written_otherwise(name, other, same):
    assert is_name_written_otherwise(name, other) is same


@pytest.mark.django_db
def test_a_degree_goodreads_took_for_the_surname_is_no_part_of_the_name():
    """`Dr. Mark Hyman MD`, `MD, Dr. Mark Hyman`: the author was credited with the degree and
    sorted under M, as if MD were his surname."""
    import_real("goodreads-jordanpiper315-degree-after-name.csv")
    credits = WorkAuthor.objects.values_list("author__name", "author__sort_name", "role")
    assert list(credits) == [("Mark Hyman", "Hyman, Mark", "author")]


@pytest.mark.parametrize(
    ("author", "author_lf", "read"),
    [
        ("Dr. Mark Hyman MD", "MD, Dr. Mark Hyman", ("Mark Hyman", "Hyman, Mark")),
        ("Brené Brown PhD", "PhD, Brené Brown", ("Brené Brown", "Brown, Brené")),
        ("Dr. Seuss", "Seuss, Dr.", None),  # a pen name, no degree
        ("Jay Ma", "Ma, Jay", None),  # `Ma` is a surname too
        ("Dr. MD", "MD, Dr.", None),
    ],
)
def test_without_degree(author, author_lf, read):
    assert without_degree(author, author_lf) == read


@pytest.mark.django_db
def test_an_organisation_goodreads_turned_at_its_last_word_sorts_by_its_name():
    """`Wizards of the Coast` was sorted `Coast, Wizards of the`, and `The Gentle Temper -
    Kraiczy & Rosina GbR` (a German partnership) `GbR, The Gentle Temper - …`, under C and G."""
    import_real("goodreads-adrian-organisations-turned.csv")
    authors = WorkAuthor.objects.filter(role="author")
    assert sorted(authors.values_list("author__name", "author__sort_name")) == [
        ("The Gentle Temper - Kraiczy & Rosina GbR", "The Gentle Temper - Kraiczy & Rosina GbR"),
        ("Wizards of the Coast", "Wizards of the Coast"),
    ]
