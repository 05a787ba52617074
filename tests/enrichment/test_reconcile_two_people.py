"""Duplicate authors that are two people after all: one name without a shared work, co-authors
and relatives, different ids, birth and death years that say two people (guessed ones allowed
their margin), a person and a firm, father and son. Each is never proposed for merging."""

import io

import pytest
from django.core.management import call_command

from enrichment import author_merges
from enrichment.models import AuthorMerge
from enrichment.reconcile import author_duplicates_propose
from tests.enrichment.test_reconcile import Reason, proposals
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db


def test_the_same_name_without_a_shared_work_is_not_proposed():
    make_work("Night Watch", authors=[make_author("Сергей Лукьяненко")])
    make_work("The Genome", authors=[make_author("Sergei Lukyanenko")])
    make_work("A Wizard of Earthsea", authors=[make_author("Ursula K. Le Guin")])
    make_work("The Dispossessed", authors=[make_author("Ursula K. Le Guin")])
    make_author("Le Guin, Ursula K.")  # no work at all
    result = author_duplicates_propose()
    assert result.proposed == 0 and not AuthorMerge.objects.exists()


def test_co_authors_and_relatives_sharing_a_work_are_not_proposed():
    make_work(
        "Roadside Picnic",
        authors=[make_author("Arkady Strugatsky"), make_author("Boris Strugatsky")],
    )
    make_work("Good Omens", authors=[make_author("Neil Gaiman"), make_author("Terry Pratchett")])
    assert author_duplicates_propose().proposed == 0


def test_a_husband_and_wife_of_one_given_name_s_two_forms_are_two_people():
    """Alexander Ahndoril and his wife Alexandra Coelho Ahndoril write together as Lars Kepler:
    credited on one of their novels, `Alexander` and `Alexandra` read as one given name spelled
    two ways, and the couple was proposed for merging."""
    make_work(
        "The Hypnotist",
        authors=[make_author("Alexander Ahndoril"), make_author("Alexandra Coelho Ahndoril")],
    )
    assert author_duplicates_propose().proposed == 0


def test_a_name_and_a_work_with_different_ids_of_one_kind_are_two_people():
    a = make_author("Ursula K. Le Guin", wikidata_id="Q181659")
    b = make_author("Le Guin, Ursula K.", wikidata_id="Q99999")
    make_work("The Dispossessed", authors=[a, b])
    result = author_duplicates_propose()
    assert result.proposed == 0 and result.conflicting_ids == 1


def test_a_credit_naming_two_people_is_not_merged_into_either():
    both = make_author("Аркадий и Борис Стругацкие")
    arkady = make_author("Аркадий Стругацкий")
    make_work("Пикник на обочине", authors=[both])
    make_work("Пикник на обочине", authors=[arkady, make_author("Борис Стругацкий")])
    make_work("Kinder- und Hausmärchen", authors=[make_author("Jacob und Wilhelm Grimm")])
    make_work("Kinder- und Hausmärchen", authors=[make_author("Jacob Grimm")])
    assert author_duplicates_propose().proposed == 0


def test_a_name_and_a_work_with_birth_years_decades_apart_are_two_people():
    """Richard Matheson (1926) and his son Richard Christian Matheson (1953), both writers:
    their names agree (a middle name on one side), and a title they share proves nothing."""
    father = make_author("Richard Matheson", birth_year=1926, death_year=2013)
    son = make_author("Richard Christian Matheson", birth_year=1953)
    make_work("Button, Button", authors=[father])
    make_work("Button, Button", authors=[son])
    # One birth year known, or one year apart (calendars, cataloguing): still one person.
    le_guin = make_author("Ursula K. Le Guin", birth_year=1929)
    make_work("The Dispossessed", authors=[le_guin])
    make_work("The Dispossessed", authors=[make_author("Le Guin, Ursula K.", birth_year=1930)])

    result = author_duplicates_propose()

    assert (result.proposed, result.conflicting_years) == (1, 1)
    assert proposals() == [("Ursula K. Le Guin", "Le Guin, Ursula K.", Reason.NAME_AND_WORK)]
    out = io.StringIO()
    AuthorMerge.objects.all().delete()
    call_command("reconcile_authors", stdout=out)
    assert "Proposed 1 merge (" in out.getvalue()
    assert "1 pair with matching names and a shared work was born or died in" in out.getvalue()


def test_one_who_died_before_the_other_was_born_is_another_person():
    """Two authors of one name sharing a title, one known by a birth year (1900), the other by a
    death year (1870): no year of one event to compare, so they were proposed as one person."""
    make_work("The Lost Valley", authors=[make_author("John Smith", birth_year=1900)])
    make_work("The Lost Valley", authors=[make_author("Smith, John", death_year=1870)])

    result = author_duplicates_propose()

    assert (result.proposed, result.conflicting_years) == (0, 1)


def test_a_person_and_a_firm_of_one_name_sharing_a_work_are_two():
    """`S. Norwell (Firm)` (a real Open Library author name, OL7090757A) and `S. Norwell`,
    credited on one book: matching reads the name without its qualifier, so the two agreed and
    were proposed for merging, a firm into a person."""
    firm = make_author("S. Norwell (Firm)")
    person = make_author("S. Norwell")
    make_work("Catalogue of Wallpapers", authors=[firm, person])

    result = author_duplicates_propose()

    assert (result.proposed, result.person_and_organisation) == (0, 1)
    out = io.StringIO()
    call_command("reconcile_authors", stdout=out)
    assert "1 pair with matching names and a shared work is a person and an organisation" in (
        out.getvalue()
    )


def test_a_guessed_birth_year_a_few_years_off_is_still_one_person():
    """One medieval author twice, one born "c. 1200" as a source wrote it (the year applied with
    its date), the other 1205: their years were "two people" and the pair was never proposed.
    Exact years as far apart still are two people."""
    guessed = make_author("Snorri Sturluson", birth_year=1200, birth_date="c. 1200")
    make_work("Heimskringla", authors=[guessed])
    make_work("Heimskringla", authors=[make_author("Sturluson, Snorri", birth_year=1205)])
    exact = make_author("Jacobus de Graffiis", birth_year=1548, birth_date="1548")
    make_work("Decisiones aureae", authors=[exact])
    make_work("Decisiones aureae", authors=[make_author("Graffiis, Jacobus de", birth_year=1553)])

    result = author_duplicates_propose()

    assert (result.proposed, result.conflicting_years) == (1, 1)
    assert proposals() == [("Snorri Sturluson", "Sturluson, Snorri", Reason.NAME_AND_WORK)]


def test_a_guessed_birth_date_without_its_year_still_says_two_people():
    """`c. 1200` typed as the birth date, the year left empty, beside the same name born 1250
    on a shared title: no year was read and the pair was proposed; fifty years apart is more
    than a guess allows."""
    make_work("Heimskringla", authors=[make_author("Snorri Sturluson", birth_date="c. 1200")])
    make_work("Heimskringla", authors=[make_author("Sturluson, Snorri", birth_year=1250)])

    result = author_duplicates_propose()

    assert (result.proposed, result.conflicting_years) == (0, 1)


def test_a_heading_s_circa_year_is_a_guess():
    """`Sturluson, Snorri, ca. 1179-1241`, a heading kept whole, and the same name born 1185 on
    a shared title: the heading's "ca." was read as an exact 1179, "two people", and the pair
    was never proposed."""
    make_work("Heimskringla", authors=[make_author("Sturluson, Snorri, ca. 1179-1241")])
    make_work("Heimskringla", authors=[make_author("Snorri Sturluson", birth_year=1185)])

    result = author_duplicates_propose()

    assert (result.proposed, result.conflicting_years) == (1, 0)


def test_father_and_son_of_one_name_are_never_proposed():
    """Dumas père and Dumas fils as Goodreads writes them (Author, Author l-f), sharing a work
    and a sort name without the word; Pliny the Elder and the Younger sharing a Wikidata id
    (a wrong one on one of them). "Alexandre Dumas", who says no generation, stays matchable."""
    father = make_author("Alexandre Dumas père", sort_name="Dumas, Alexandre")
    son = make_author("Alexandre Dumas fils", sort_name="Dumas, Alexandre")
    make_work("Le Comte de Monte-Cristo", authors=[father])
    make_work("Le Comte de Monte-Cristo", authors=[son])
    make_work("La Dame aux camélias", authors=[father, son])
    make_author("Pliny the Elder", wikidata_id="Q82778")
    make_author("Pliny the Younger", wikidata_id="Q82778")
    # Two names, not one name of two generations: a shared id is proposed as any other.
    make_author("Kurt Vonnegut Jr.", viaf_id="44300868")
    make_author("Martin Luther King Sr.", viaf_id="44300868")
    plain = make_author("Alexandre Dumas", sort_name="Dumas, Alexandre")
    make_work("Le Comte de Monte-Cristo", authors=[plain])
    make_work("Les Trois Mousquetaires", authors=[plain])
    make_work("Vingt ans après", authors=[plain])

    result = author_duplicates_propose()

    assert proposals() == [
        ("Alexandre Dumas", "Alexandre Dumas fils", Reason.NAME_AND_WORK),
        ("Alexandre Dumas", "Alexandre Dumas père", Reason.NAME_AND_WORK),
        ("Kurt Vonnegut Jr.", "Martin Luther King Sr.", Reason.SHARED_ID),
    ]
    assert result.different_generations == 2
    out = io.StringIO()
    AuthorMerge.objects.all().delete()
    call_command("reconcile_authors", stdout=out)
    assert "2 pairs with matching names are two generations of a family" in out.getvalue()


def test_an_author_who_took_in_the_son_is_not_proposed_with_the_father():
    """ "Alexandre Dumas" (saying no generation) once Dumas fils was merged into him is the son:
    his father sharing a play with him is not proposed, nor merged from an older proposal."""
    plain = make_author("Alexandre Dumas", sort_name="Dumas, Alexandre")
    make_author("Alexandre Dumas fils", merged_into=plain)
    make_work("La Dame aux camélias", authors=[plain])
    father = make_author("Alexandre Dumas père")
    make_work("La Dame aux camélias", authors=[father])

    result = author_duplicates_propose()

    assert (result.proposed, result.different_generations) == (0, 1)
    older = AuthorMerge.objects.create(kept=plain, duplicate=father, reason=Reason.NAME_AND_WORK)
    outcome = author_merges.author_merge_apply(merge=older, actor=None)
    assert outcome.refused == (
        "“Alexandre Dumas fils” and “Alexandre Dumas père” are two generations of a family"
    )
