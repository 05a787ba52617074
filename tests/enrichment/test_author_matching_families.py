"""Author matching (enrichment.author_matching) against the rules reconciliation shares with it:
names that say two generations of a family are two people, and a generic title is no work in
common. Pure, no database."""

import pytest

from enrichment.author_matching import (
    AuthorQuery,
    AuthorRecordSummary,
    person_name_key,
    score_author_name,
    score_author_names,
    score_author_record,
)
from enrichment.matching import Tier

# As the real exports write them: Goodreads' "Alexandre Dumas fils" (Author l-f "fils,
# Alexandre Dumas", HelgeEgil's export) and "Alexandre Dumas" for his father; saganawski's list
# "Alexandre Dumas père". The other spellings are library headings' and other languages'.
FATHER_AND_SON = [
    ("Alexandre Dumas père", "Alexandre Dumas fils"),
    ("Dumas, Alexandre, père", "Dumas, Alexandre, fils"),
    ("Alexandre Dumas (père)", "Dumas, Alexandre (fils)"),
    ("Alexandre Dumas Sr.", "Alexandre Dumas-fils"),
    ("Pliny the Elder", "Pliny the Younger"),
    ("Lucas Cranach der Ältere", "Lucas Cranach der Jüngere"),
    ("Johann Strauss II", "Johann Strauss III"),
    # A sort name's generation word after the given names, without its comma: it was read as
    # initials ("Jr." as "j r") or a middle name ("fils"), and père and fils agreed (4).
    ("Dumas, Alexandre père", "Dumas, Alexandre fils"),
    ("Strauss, Johann II", "Strauss, Johann III"),
    ("Gates, Henry Louis Sr.", "Henry Louis Gates Jr."),
]


@pytest.mark.parametrize("father, son", FATHER_AND_SON)
def test_pere_and_fils_elder_and_younger_are_two_people(father, son):
    score, reason = score_author_name(father, son)
    assert score == 1 and "two generations of a family" in reason
    # Whichever other names agree: both sort names without the word.
    assert score_author_names([father, "Dumas, Alexandre"], [son, "Dumas, Alexandre"])[0] == 1


@pytest.mark.parametrize("father, son", FATHER_AND_SON)
def test_a_name_that_says_no_generation_may_be_either(father, son):
    plain = person_name_key(father)
    assert plain == person_name_key(son)  # "alexandre dumas", "pliny", "johann strauss"
    assert score_author_name(plain, father)[0] == score_author_name(plain, son)[0] == 5


def test_a_record_of_the_father_is_never_applied_to_the_son():
    """Our "Alexandre Dumas fils" holding his father's id (a wrong one), and a record of the
    father listing the son's book under his plain name: reviewed, never high."""
    son = AuthorQuery(
        "Alexandre Dumas fils",
        alternative_names=("Dumas, Alexandre",),
        work_titles=("La Dame aux camélias",),
        ids={"openlibrary_author": "OL4390707A"},
    )
    father = AuthorRecordSummary(
        "openlibrary",
        "Alexandre Dumas",
        alternate_names=("Alexandre Dumas père", "Dumas, Alexandre"),
        work_titles=("Les Trois Mousquetaires", "La Dame aux camélias"),
        ids={"openlibrary_author": "OL4390707A"},
    )
    score = score_author_record(son, father)
    assert (score.name, score.tier) == (1, Tier.LOW)
    review = "the id matches but the names say another generation: kept for review"
    assert review in score.reasons
    without_id = score_author_record(AuthorQuery(son.name, work_titles=son.work_titles), father)
    assert (without_id.name, without_id.tier) == (1, Tier.LOW)
    # A name that says no generation still matches his record on a shared work.
    plain = score_author_record(AuthorQuery("Alexandre Dumas", work_titles=son.work_titles), father)
    assert (plain.name, plain.tier) == (5, Tier.HIGH)


def test_a_generic_title_in_common_is_no_shared_work():
    """Another Thomas Moore's record listing "Poems" and "Selected Poems": a name alone, at
    most low; a title of his own on the record still makes it high."""
    ours = AuthorQuery("Thomas Moore", work_titles=("Poems", "Selected poems, 1950-1970"))
    another = AuthorRecordSummary(
        "openlibrary", "Thomas Moore", work_titles=("Poems", "Selected Poems", "Letters")
    )
    score = score_author_record(ours, another)
    assert (score.name, score.works, score.tier) == (5, 0, Tier.LOW)
    assert "their works' titles are generic (Poems, Collected Stories...)" in score.reasons
    own = AuthorQuery("Thomas Moore", work_titles=("Poems", "Lalla Rookh"))
    his = AuthorRecordSummary("openlibrary", "Thomas Moore", work_titles=("Lalla Rookh", "Poems"))
    assert score_author_record(own, his).tier == Tier.HIGH
