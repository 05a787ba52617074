"""Author matching's answers to what a review of its proposals asked about names: a Western
name read family name first, a name in another romanisation. Pure, except where the duplicate
finder is asked."""

import pytest

from enrichment.author_matching import AuthorQuery, AuthorRecordSummary, score_author_record
from enrichment.author_names import name_blocks
from enrichment.matching import Tier
from enrichment.models import AuthorMerge
from enrichment.reconcile import author_duplicates_propose
from tests.factories import make_author, make_work


def test_another_person_s_initial_is_not_a_western_name_read_family_name_first():
    """Read as a Mann of the Thomas family, "Thomas Mann" took "M. Thomas" for his initial: with
    a work in common the record was medium, its photo applied to Thomas Mann's author."""
    ours = AuthorQuery("Thomas Mann", work_titles=("Der Zauberberg",))
    record = AuthorRecordSummary("openlibrary", "M. Thomas", work_titles=("Der Zauberberg",))
    score = score_author_record(ours, record)
    assert (score.name, score.tier) == (0, Tier.NONE)
    # A Japanese name written family name first still meets its initial.
    ours = AuthorQuery("Murakami Haruki", work_titles=("Norwegian Wood",))
    record = AuthorRecordSummary("openlibrary", "Murakami, H.", work_titles=("Norwegian Wood",))
    assert score_author_record(ours, record).tier == Tier.MEDIUM


def test_a_chinese_name_in_wade_giles_is_shown_for_review():
    """Mao Zedong's record named in Wade-Giles, on a work of his: it was "another name" and the
    record dropped; now a reviewer sees it (medium), and nothing is applied, its photo neither."""
    ours = AuthorQuery("Mao Zedong", work_titles=("On Guerrilla Warfare",))
    record = AuthorRecordSummary("wikidata", "Mao Tse-tung", work_titles=("On Guerrilla Warfare",))
    score = score_author_record(ours, record)
    assert (score.name, score.tier) == (3, Tier.MEDIUM)
    assert (
        "'Mao Tse-tung' may be 'Mao Zedong' in another romanisation of Chinese"
        in (score.reasons[0])
    )


@pytest.mark.django_db
def test_the_duplicate_finder_proposes_a_french_transcription_not_another_romanisation():
    """`Alexandre Pouchkine` (French: ш is "ch") and `Alexander Pushkin` on one work were
    "nearly" one name (3), never proposed; `Mao Tse-tung` and `Mao Zedong` may be one name (3)
    but are not proposed: Wade-Giles folded to pinyin makes namesakes meet too."""
    for name in ("Alexandre Pouchkine", "Alexander Pushkin"):
        make_work("Eugene Onegin", authors=[make_author(name)])
    for name in ("Mao Tse-tung", "Mao Zedong"):
        make_work("On Guerrilla Warfare", authors=[make_author(name)])

    author_duplicates_propose()

    merges = AuthorMerge.objects.select_related("kept", "duplicate")
    assert [{m.kept.name, m.duplicate.name} for m in merges] == [
        {"Alexandre Pouchkine", "Alexander Pushkin"}
    ]


@pytest.mark.django_db
def test_a_surname_and_more_is_another_surname_not_proposed_as_a_duplicate():
    """`John Richards` and `John Richardson` credited on works of one title were "another
    spelling" (4) of one name, proposed as one person; a record of either, high on that title."""
    for name in ("John Richards", "John Richardson"):
        make_work("Synthetic shared title", authors=[make_author(name)])

    assert author_duplicates_propose().proposed == 0
    ours = AuthorQuery("John Richards", work_titles=("Synthetic shared title",))
    record = AuthorRecordSummary(
        "openlibrary", "John Richardson", work_titles=("Synthetic shared title",)
    )
    assert score_author_record(ours, record).tier == Tier.NONE


@pytest.mark.django_db
def test_a_given_name_s_short_form_is_proposed_as_one_person():
    """mapmyreads' Goodreads export credits "Unlimited Power" (ISBN 9780684845777) to Anthony
    Robbins and, in Additional Authors, to Tony Robbins: two authors of one work whose names
    shared only a surname (1), never proposed as one."""
    make_work(
        "Unlimited Power: The New Science of Personal Achievement",
        authors=[make_author("Anthony Robbins"), make_author("Tony Robbins")],
    )

    author_duplicates_propose()

    merge = AuthorMerge.objects.select_related("kept", "duplicate").get()
    assert {merge.kept.name, merge.duplicate.name} == {"Anthony Robbins", "Tony Robbins"}
    assert merge.evidence["name_reason"] == (
        "'Tony Robbins' is 'Anthony Robbins' (a given name's short form)"
    )


# A letter in place of another in a surname, or a given name's man's and woman's forms: two
# people. The Goodreads export (tests/fixtures/imports/mapmyreads) credits Ann Goldstein, the
# translator of My Brilliant Friend; Ann Goodstein, Tony and Toni Morrison, Ben Johnson and Ben
# Jonson are the name forms a review of author matching asked about.
@pytest.mark.parametrize(
    ("ours", "theirs", "work", "name", "tier"),
    [
        # "Another spelling" (4): with the work in common, high, so its values and photo applied.
        ("Ann Goldstein", "Ann Goodstein", "My Brilliant Friend", 3, Tier.MEDIUM),
        ("Ben Jonson", "Ben Johnson", "Volpone", 3, Tier.MEDIUM),
        ("Tony Morrison", "Toni Morrison", "Beloved", 1, Tier.LOW),
    ],
)
def test_a_letter_that_makes_another_person_is_never_high_on_a_name_and_a_work(
    ours, theirs, work, name, tier
):
    for a, b in ((ours, theirs), (theirs, ours)):
        record = AuthorRecordSummary("openlibrary", b, work_titles=(work,))
        score = score_author_record(AuthorQuery(a, work_titles=(work,)), record)
        assert (score.name, score.tier) == (name, tier), score.reasons
    # An id of ours on the record decides, as for any name that nearly agrees.
    record = AuthorRecordSummary("openlibrary", theirs, ids={"openlibrary_author": "OL1A"})
    ours_with_id = AuthorQuery(ours, ids={"openlibrary_author": "OL1A"})
    assert score_author_record(ours_with_id, record).tier == Tier.HIGH


@pytest.mark.django_db
def test_surnames_a_letter_apart_are_not_proposed_as_one_person():
    """`Ann Goldstein` and `Ann Goodstein` on one work were "another spelling" of one name (4)
    and proposed as duplicates; a romanisation's added letters still are one name."""
    for name in ("Ann Goldstein", "Ann Goodstein"):
        make_work("My Brilliant Friend", authors=[make_author(name)])
    for name in ("Aleksandr Solženicyn", "Aleksandr Solzhenitsyn"):
        make_work("One Day in the Life of Ivan Denisovich", authors=[make_author(name)])

    author_duplicates_propose()

    merges = AuthorMerge.objects.select_related("kept", "duplicate")
    assert [{m.kept.name, m.duplicate.name} for m in merges] == [
        {"Aleksandr Solženicyn", "Aleksandr Solzhenitsyn"}
    ]


def test_a_korean_name_family_name_first_meets_its_initial_and_other_romanisations():
    """mapmyreads' Goodreads export credits Shoko's Smile (9780143135265) to Choi Eun-young: a
    record naming her "Choi, E." on that work was "another name" (0), dropped, where "Murakami,
    H." on Norwegian Wood is shown for review; and "Choe Eun-yeong" (the Revised Romanization)
    too. Both are medium now: for a reviewer, never applied unreviewed."""
    ours = AuthorQuery("Choi Eun-young", work_titles=("Shoko's Smile",))
    for name in ("Choi, E.", "E. Choi", "Choe Eun-yeong"):
        record = AuthorRecordSummary("openlibrary", name, work_titles=("Shoko's Smile",))
        score = score_author_record(ours, record)
        assert (score.name, score.tier) == (3, Tier.MEDIUM), (name, score.reasons)
    record = AuthorRecordSummary("openlibrary", "Eun-young Choi", work_titles=("Shoko's Smile",))
    assert score_author_record(ours, record).tier == Tier.HIGH
    # Another Choi's record on the same work stays another person's.
    record = AuthorRecordSummary("openlibrary", "Choi Eun-mi", work_titles=("Shoko's Smile",))
    assert score_author_record(ours, record).tier in (Tier.LOW, Tier.NONE)


def test_a_korean_name_meets_itself_western_order_first_in_a_crowded_title():
    """Among the authors of a title many share, the duplicate finder compares those whose
    names meet under a letter (name_blocks): "Hwang Sun-mi" (read as a Sun-mi of the Mi family)
    and Open Library's "Sun-mi Hwang" (OL7841570A, its authors dump) never met."""
    assert name_blocks("Hwang Sun-mi") & name_blocks("Sun-mi Hwang")
    assert name_blocks("Choi Eun-young") & name_blocks("Eun-young, Choi")


@pytest.mark.parametrize(
    ("ours", "theirs", "work"),
    [
        # sartak's Goodreads export credits Hokuto No Ken (Volume 1) to "Tetsuo Hara/Buronson".
        ("Tetsuo Hara/Buronson", "Buronson", "Hokuto No Ken"),
        # Open Library's authors (its dump, grep orwell): two people; the work is synthetic.
        ("Patricia Orwell", "Joseph P. Orwell", "Synthetic shared title"),
    ],
)
def test_a_record_of_one_of_two_people_is_not_medium_on_a_shared_work(ours, theirs, work):
    """Both were medium (a name that nearly agrees and a shared work), Buronson's record as
    "sharing a surname" with the cell of two people, Patricia Orwell's as Joseph P.'s "one
    initial agrees": another person's record, shown at most as low."""
    record = AuthorRecordSummary("openlibrary", theirs, work_titles=(work,))
    score = score_author_record(AuthorQuery(ours, work_titles=(work,)), record)
    assert score.tier == Tier.LOW and score.name <= 1, score.reasons
