"""What every parsed record goes through (enrichment.providers.settle), as pure functions."""

from enrichment.candidates import Candidate, Contributor
from enrichment.providers import settle


def test_every_short_text_field_is_proposed_single_spaced():
    """A double space, a tab or a line break inside a name (as Open Library's search has
    "Harper Collins Publishers  Stock Account") is one space; a description keeps its lines."""
    record = settle.settle_candidate(
        Candidate(
            provider="google_books",
            title="The Left Hand\tof  Darkness",
            subtitle="A  Novel\n",
            series="Hainish\u00a0 Cycle",
            authors=[Contributor("Ursula K.  Le Guin"), Contributor("Jo\u200b  Walton", "editor")],
            publisher="Ace\n Books",
            subjects=["Science  fiction"],
            description="First paragraph.\n\nSecond paragraph.",
        )
    )

    assert (record.title, record.subtitle, record.series, record.publisher) == (
        "The Left Hand of Darkness",
        "A Novel",
        "Hainish Cycle",
        "Ace Books",
    )
    assert record.authors == [Contributor("Ursula K. Le Guin"), Contributor("Jo Walton", "editor")]
    assert record.subjects == ["Science fiction"]
    assert record.description == "First paragraph.\n\nSecond paragraph."


def test_a_catalogue_s_closing_full_stop_is_dropped_but_an_abbreviation_or_an_ellipsis_stays():
    def title_of(title: str) -> str:
        return settle.settle_candidate(Candidate(provider="openlibrary", title=title)).title

    assert title_of("Crime and punishment.") == "Crime and punishment"
    assert title_of("And Then There Were None...") == "And Then There Were None..."
    assert title_of("Letters to Mr.") == "Letters to Mr."
    assert title_of("The Collected Poems of W. B.") == "The Collected Poems of W. B."
