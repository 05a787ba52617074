"""What settling a provider's record costs (enrichment.providers.settle): a 1,000-ISBN batch of
the local dump settles ~750 candidates (issue 18, goal 4: < 50 ms a batch, candidates
included), so a rule is tried only where the text holds what it changes, and the text it
settles is the same as every rule's full pass gives."""

import re

import pytest

from catalog import column_text, series_statements
from enrichment.candidates import Candidate, Contributor
from enrichment.providers import fields, settle


class Spy:
    """A compiled pattern that counts the passes made with it."""

    def __init__(self, pattern: re.Pattern, passes: list[str]):
        self.pattern, self.passes = pattern, passes

    def __getattr__(self, method):
        def counted(*args, **kwargs):
            self.passes.append(self.pattern.pattern)
            return getattr(self.pattern, method)(*args, **kwargs)

        return counted


@pytest.fixture
def spaces_passes(monkeypatch):
    passes: list[str] = []
    for name in ("_SPACES", "_ZERO_WIDTH"):
        monkeypatch.setattr(column_text, name, Spy(getattr(column_text, name), passes))
    return passes


def test_text_already_single_spaced_is_kept_without_a_regex_pass(spaces_passes):
    """Nearly every record's title, names and subjects are single-spaced already."""
    author = Contributor("Ursula K. Le Guin", provider_id="OL31353A")
    record = settle.settle_candidate(
        Candidate(
            provider="openlibrary_dump",
            title="The Left Hand of Darkness",
            subtitle="Fiftieth anniversary edition",
            publisher="Ace Books",
            authors=[author],
            subjects=["Science fiction", "Gethen (Imaginary place)"],
        )
    )

    assert spaces_passes == []
    assert (record.title, record.subtitle, record.publisher) == (
        "The Left Hand of Darkness",
        "Fiftieth anniversary edition",
        "Ace Books",
    )
    assert record.authors == [author]
    assert record.subjects == ["Science fiction", "Gethen (Imaginary place)"]


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("The Left Hand\tof Darkness", "The Left Hand of Darkness"),
        ("The Left Hand of  Darkness", "The Left Hand of Darkness"),
        (" The Left Hand of Darkness", "The Left Hand of Darkness"),
        ("The Left Hand of Darkness ", "The Left Hand of Darkness"),
        ("The Left Hand of\u00a0Darkness", "The Left Hand of Darkness"),  # no-break space
        ("The Left Hand of\u2028Darkness", "The Left Hand of Darkness"),  # line separator
        ("The Left Hand of\x1fDarkness", "The Left Hand of Darkness"),  # unit separator
        ("The Left Hand of Dark\u200bness", "The Left Hand of Darkness"),  # zero-width space
        ("The Left Hand of Dark\ufeffness", "The Left Hand of Darkness"),  # byte order mark
        ("Левая рука тьмы", "Левая рука тьмы"),
        ("گل\u200cها", "گل\u200cها"),  # Persian's zero-width non-joiner shapes the word: kept
    ],
)
def test_text_that_is_not_single_spaced_still_is_once_settled(written, kept):
    author = settle.settle_candidate(Candidate(provider="x", authors=[Contributor(written)]))
    record = settle.settle_candidate(Candidate(provider="x", title=written, subjects=[written]))

    assert (record.title, record.subjects, author.authors) == (kept, [kept], [Contributor(kept)])


@pytest.fixture
def title_passes(monkeypatch):
    passes: list[str] = []
    for module, name in (
        (settle, "_EMPTY_BRACKETS"),
        (settle, "_TRAILING_SEPARATOR"),
        (settle, "_UNCLOSED_PARENTHESIS"),
        (settle, "_TITLE_PARTS"),
        (fields, "_HEADING_END"),
        (fields, "_DASHES_BEFORE_DATES"),
    ):
        monkeypatch.setattr(module, name, Spy(getattr(module, name), passes))
    return passes


def test_a_title_with_nothing_to_settle_is_kept_without_a_regex_pass(title_passes):
    """Nearly every title has no bracket, no separator or full stop at its end, and no colon."""
    record = settle.settled_title(
        Candidate(provider="x", title="Crime and Punishment", subtitle="A Novel in Six Parts")
    )

    assert title_passes == []
    assert (record.title, record.subtitle, record.notes) == (
        "Crime and Punishment",
        "A Novel in Six Parts",
        [],
    )


@pytest.mark.parametrize(
    ("title", "subtitle", "settled", "notes"),
    [
        ("Crime and punishment.", "a novel.", ("Crime and punishment", "a novel"), 0),
        ("Official Journal of the EC: ", "", ("Official Journal of the EC", ""), 0),
        ("Crime and Punishment /", "", ("Crime and Punishment", ""), 0),
        ("Crime and Punishment =", "", ("Crime and Punishment", ""), 0),
        ("Crime and Punishment (  )", "", ("Crime and Punishment", ""), 0),
        ("Crime and Punishment [ ]", "", ("Crime and Punishment", ""), 0),
        ("Lord of the Rings, the", "", ("The Lord of the Rings", ""), 0),
        ("The Fellowship (Lord of the Rings", "", ("The Fellowship", ""), 1),
        ("Monitor: Monthly Data", "Monthly Data", ("Monitor: Monthly Data", ""), 1),
        ("Dostoyevsky, Fyodor, -- 1821-1881.", "", ("Dostoyevsky, Fyodor, 1821-1881", ""), 0),
        ("Smith, John, Jr.", "J. R. R.", ("Smith, John, Jr.", "J. R. R."), 0),
    ],
)  # fmt: skip
def test_a_title_that_needs_settling_still_is(title, subtitle, settled, notes):
    record = settle.settled_title(Candidate(provider="x", title=title, subtitle=subtitle))

    assert ((record.title, record.subtitle), len(record.notes)) == (settled, notes)


def test_a_batchs_repeated_subtitle_is_read_once_for_its_series(monkeypatch):
    """A publisher prints its series on each of its books: a batch's subtitles repeat, and
    reading one as a series statement is the costliest rule of a candidate."""
    passes: list[str] = []
    for name in ("_NUMBER_OF_SERIES", "_SERIES_THEN_NUMBER_WORD", "_NAMED_NOVEL"):
        monkeypatch.setattr(series_statements, name, Spy(getattr(series_statements, name), passes))
    series_statements.split_series_statement.cache_clear()
    subtitles = ["Book Six of the Elric Saga", "A Jack Reacher Novel", "A Novel"] * 3

    records = [
        settle.settle_candidate(Candidate(provider="x", title="A title", subtitle=subtitle))
        for subtitle in subtitles
    ]

    read = [(record.series, record.series_number, record.subtitle) for record in records]
    assert read == [("Elric Saga", "6", ""), ("Jack Reacher", "", ""), ("", "", "A Novel")] * 3
    assert [len(record.notes) for record in records] == [1, 1, 0] * 3
    assert len(passes) == 1 + 3 + 3  # each subtitle once: 1 pattern for the first, 3 for others
