"""An Open Library edition's catalogue fields, read on real dump lines (the JSON
`/books/OL…M.json` serves): its `series`, the people its `contributions` credit in a stated
role, and its `pagination` when `number_of_pages` is missing; and a title that holds its
subtitle."""

import json

import pytest

from enrichment.candidates import Contributor
from enrichment.providers import fields, openlibrary_marc
from enrichment.providers.openlibrary_marc import ROLES
from tests.enrichment.providers.helpers import body, load
from tests.enrichment.providers.test_openlibrary_recorded_shapes import dump_edition_line

EDITIONS = "https://openlibrary.org/books"


@pytest.fixture
def openlibrary(openlibrary_knowing_no_authors):
    return openlibrary_knowing_no_authors


def edition(http, openlibrary, edition_id: str, name: str = "", record: dict | None = None):
    if record is not None:  # one entry of a recorded answer that lists several
        http.get(f"{EDITIONS}/{edition_id}.json", json=record)
    else:
        name = name or f"edition__{edition_id}__from_dump.json"
        http.get(f"{EDITIONS}/{edition_id}.json", body=body("openlibrary", name))
    [candidate] = openlibrary.edition(edition_id).candidates
    return candidate


def test_a_publishers_numbered_series_is_read_but_not_proposed_and_an_editor_is(http, openlibrary):
    """Sontag's Later Essays: "The Library of America -- 292" is read as that series and its
    number (`edition_series`), the publisher's, so not proposed as the work's series
    (settle.no_publishers_series: a note names it); "Rieff, David, editor" is credited, her own
    name among the contributions, with no role, is not credited again."""
    candidate = edition(http, openlibrary, "OL26925052M")

    assert (candidate.series, candidate.series_number) == ("", "")
    assert "“The Library of America” is the publisher's series" in " ".join(candidate.notes)
    assert candidate.authors == [Contributor("David Rieff", "editor")]
    assert candidate.page_count == 865


def test_roles_in_a_parenthesis_and_a_translator_after_a_comma(http, openlibrary):
    letters = edition(http, openlibrary, "OL11928979M")
    passions = edition(http, openlibrary, "OL27172507M")

    assert letters.authors == [
        Contributor("Prince D. S. Mirsky", "contributor"),
        Contributor("Elizabeth Hill", "translator"),
    ]
    assert passions.authors == [Contributor("Tim Parks", "translator")]


def test_illustrators_are_credited_and_an_unpaged_book_has_no_page_count(http, openlibrary):
    candidate = edition(http, openlibrary, "OL1003092M")

    assert candidate.authors == [
        Contributor("Jose Aruego", "illustrator"),
        Contributor("Ariane Dewey", "illustrator"),
    ]
    assert candidate.page_count is None  # "1 v. (unpaged) :"


def test_a_set_of_volumes_is_no_page_count_and_a_contribution_without_a_role_no_credit(
    http, openlibrary
):
    candidate = edition(http, openlibrary, "OL20086208M")

    assert candidate.page_count is None  # "2 v. ;": two volumes, not two pages
    assert candidate.authors == []  # "Galʹt︠s︡eva, R. A.": in what role, the record says not


def test_the_pagination_gives_the_page_count_when_number_of_pages_is_missing(http, openlibrary):
    candidate = edition(
        http, openlibrary, "OL26925052M", "synthetic-edition__OL26925052M__pagination_only.json"
    )

    assert candidate.page_count == 865  # "xi, 865 pages"


# Every real `pagination` of the recorded editions with its `number_of_pages` (fixtures'
# work_editions__*.json, edition__*.json and the dump lines): the rule reads the same count.
@pytest.mark.parametrize(
    ("pagination", "pages"),
    [
        ("xi, 292 p. ;", 292),
        ("491 p. :", 491),
        ("317p. ;", 317),
        ("277p.", 277),
        ("vi, 231 p. ;", 231),
        ("xxviii, 201 pages", 201),
        ("180 p. ;", 180),
        ("340, [3] p. ;", 340),
        ("xxxii, 448 p., [6] leaves of plates :", 448),
        ("435 p.  ill. ;", 435),
        ("l, 379 p. ;", 379),
        # No count of one volume's pages.
        ("p. cm.", None),
        ("1 v.", None),
        ("2 v. (355 p.) ;", None),
        ("6 p. l., 3-447 p.", None),
    ],
)
def test_the_page_count_a_pagination_states(pagination, pages):
    assert fields.extent_pages(pagination) == pages


@pytest.mark.parametrize(
    ("series", "read"),
    [
        (["Idées ; 348"], ("Idées", "348")),
        (["Collection Idées -- 48"], ("Collection Idées", "48")),
        (["Arbeiten und Texte zur Slavistik,", "42"], ("Arbeiten und Texte zur Slavistik", "42")),
        (["American university studies.", "vol. 1"], ("American university studies", "1")),
        (
            ["Skripten des Slavischen Seminars der Universität Tübingen -- Nr.22"],
            ("Skripten des Slavischen Seminars der Universität Tübingen", "22"),
        ),
        (["Ann Arbor paperbacks,", "AA113"], ("Ann Arbor paperbacks", "AA113")),
        # work_editions__OL27258W__limit10_offset0.json (shared fixtures): Heyne's numbering.
        (
            ["Heyne science fiction & fantasy ; Bd. 06/4400"],
            ("Heyne science fiction & fantasy", "06/4400"),
        ),
        (["World's classics"], ("World's classics", "")),
        ([], ("", "")),
    ],
)
def test_the_series_real_dump_lines_name(series, read):
    assert openlibrary_marc.edition_series(series) == read


@pytest.mark.parametrize(
    "written",
    [
        "Garnett, Constance Black, 1862-1946.",
        "Dostoyevsky, Fyodor, 1821-1881",
        "National Theatre Corporation (Washington, D.C.)",
        "Coulson, Jessie.",
        "Kasatkina, V. N.",
    ],
)
def test_a_contribution_that_states_no_role_credits_no_one(written):
    assert openlibrary_marc.contribution(written, ROLES) is None


def test_a_subtitle_the_title_holds_already_is_not_proposed_again(http, openlibrary):
    """A real dump line's title has its subtitle in it: "…: Business Monitor: Monthly
    Statistics: Business Monitors", subtitle "Monthly Statistics"."""
    candidate = edition(http, openlibrary, "OL10040742M")

    assert candidate.title.endswith(": Monthly Statistics: Business Monitors")
    assert candidate.subtitle == ""
    assert any("Monthly Statistics" in note and "title already" in note for note in candidate.notes)


def test_neuromancers_editions_propose_a_story_series_never_a_publishers(http, openlibrary):
    """Real editions of Neuromancer (work_editions__OL27258W__limit10_offset0.json): the
    Danish "Cyberspace trilogien" is the story's trilogy and is proposed; Heyne's "Heyne
    science fiction & fantasy ; Bd. 06/4400" (publisher "W. Heyne") and Ace's "Ace science
    fiction" (publisher "Ace Books") are the publishers' lists, not proposed, each noted."""
    entries = load("openlibrary", "work_editions__OL27258W__limit10_offset0.json")["entries"]

    def candidate(edition_id: str):
        record = next(e for e in entries if e["key"] == f"/books/{edition_id}")
        return edition(http, openlibrary, edition_id, record=record)

    danish, heyne, ace = (candidate(e) for e in ("OL17987798M", "OL16064340M", "OL3963678M"))

    assert (danish.series, danish.notes) == ("Cyberspace trilogien", [])
    assert (heyne.series, heyne.series_number) == ("", "")
    assert "“Heyne science fiction & fantasy” is the publisher's series" in heyne.notes[0]
    assert ace.series == "" and "“Ace science fiction”" in ace.notes[0]


def test_a_series_named_for_a_subject_is_the_publishers_not_the_works(http, openlibrary):
    """A real dump line (booklink_editions_head300.txt, /books/OL1006312M, a book on foot and
    ankle pain from Davis): its series "Pain series" is one of its subject headings ("Pain.")
    and the word "series", a publisher's list of books on pain: not the work's series."""
    record = dump_edition_line("booklink_editions_head300.txt", "OL1006312M")

    candidate = edition(http, openlibrary, "OL1006312M", record=json.loads(record))

    assert (candidate.series, candidate.series_number) == ("", "")
    assert "“Pain series” is the publisher's series" in " ".join(candidate.notes)
    assert "Pain" in candidate.subjects


def test_a_russian_series_statement_is_the_quoted_name(http, openlibrary):
    """A real dump line (booklink_editions_grep_dostoyevsky50.txt, /books/OL20086208M) names
    its series `Serii︠a︡ "Russkie filosofy XX veka"` (ALA-LC's romanised "Серия", then the
    name in quotation marks): the series is Russkie filosofy XX veka, as its second entry
    writes it."""
    candidate = edition(http, openlibrary, "OL20086208M")

    assert (candidate.series, candidate.series_number) == ("Russkie filosofy XX veka", "")
    assert candidate.notes == []


@pytest.mark.parametrize(
    ("series", "read"),
    [
        # The shapes of the real OL20086208M's entry, romanised otherwise or in Cyrillic, and
        # with a number after the name (no recorded body has those: written here).
        (['Serii͡a "Russkie filosofy XX veka"'], ("Russkie filosofy XX veka", "")),
        (["Seriya «Literaturnye pamiatniki» ; 12"], ("Literaturnye pamiatniki", "12")),
        (["Серия «Литературные памятники»"], ("Литературные памятники", "")),
        (["Seriia: “Zolotaia biblioteka”"], ("Zolotaia biblioteka", "")),
        # A name alone, the same series with its number in a later entry (a 490 and its 830).
        (["Discworld", "Discworld ; 3"], ("Discworld", "3")),
        (["Discworld series", "The Discworld series -- 3"], ("Discworld series", "3")),
        (["Rozprawy habilitacyjne,", "Rozprawy habilitacyjne ;", "nr. 151."],
         ("Rozprawy habilitacyjne", "151")),
        # Another series' number is not this one's.
        (["Resources for parenting", "Johnson Institute resources ; 4"],
         ("Resources for parenting", "")),
        # Words that only start like the Russian word for series.
        (["Series in contemporary fiction"], ("Series in contemporary fiction", "")),
        (['Serious "reading"'], ('Serious "reading"', "")),
    ],
)  # fmt: skip
def test_a_series_number_and_name_read_from_other_entries(series, read):
    assert openlibrary_marc.edition_series(series) == read


def test_a_series_named_in_full_by_a_later_entry_is_read_by_that_name(http, openlibrary):
    """A real dump line (booklink_editions_head300.txt, /books/OL1000071M, from the Johnson
    Institute) names its series "Resources for parenting", then in full "Johnson Institute
    resources for parenting.": the publisher's list, not the work's series (it was proposed as
    "Resources for parenting")."""
    record = dump_edition_line("booklink_editions_head300.txt", "OL1000071M")

    candidate = edition(http, openlibrary, "OL1000071M", record=json.loads(record))

    assert (candidate.series, candidate.series_number) == ("", "")
    assert "“Johnson Institute resources for parenting” is the publisher's series" in " ".join(
        candidate.notes
    )
    assert openlibrary_marc.edition_series(["Resources for parenting", "Other resources"]) == (
        "Resources for parenting",
        "",
    )
