"""Author matching's answers to what a review of its proposals asked about names: a Western
name read family name first. Pure, no database."""

from enrichment.author_matching import AuthorQuery, AuthorRecordSummary, score_author_record
from enrichment.matching import Tier


def test_another_person_s_initial_is_not_a_western_name_read_family_name_first():
    """ "Thomas Mann" read as a Mann of the Thomas family took "M. Thomas" for his initial: with
    a work in common the record was medium, its photo applied to Thomas Mann's author."""
    ours = AuthorQuery("Thomas Mann", work_titles=("Der Zauberberg",))
    record = AuthorRecordSummary("openlibrary", "M. Thomas", work_titles=("Der Zauberberg",))
    score = score_author_record(ours, record)
    assert (score.name, score.tier) == (0, Tier.NONE)
    # A Japanese name written family name first still meets its initial.
    ours = AuthorQuery("Murakami Haruki", work_titles=("Norwegian Wood",))
    record = AuthorRecordSummary("openlibrary", "Murakami, H.", work_titles=("Norwegian Wood",))
    assert score_author_record(ours, record).tier == Tier.MEDIUM
