import pytest
import requests

from enrichment.candidates import Candidate, Contributor, LookupStatus
from enrichment.merge import merge_candidates
from enrichment.models import ProviderState, SourceRecord
from enrichment.proposals import Scores, build_proposal
from enrichment.providers.google_books import GoogleBooksProvider, clean_image_url
from tests.enrichment.providers.helpers import body, load

VOLUMES = "https://www.googleapis.com/books/v1/volumes"


@pytest.fixture
def google(make):
    return make(GoogleBooksProvider)


def test_isbn_hit_with_thumbnails_cleaned(http, google):
    http.get(VOLUMES, body=body("google_books", "volumes__q_isbn_9784815602666.json"))

    result = google.lookup_isbns(["9784815602666"])["9784815602666"]

    assert result.status == LookupStatus.FOUND
    [candidate] = result.candidates
    assert candidate.title == "宇宙の話をしよう"
    assert candidate.authors == [Contributor("小野雅裕")]
    assert candidate.isbn10 == ["4815602662"]
    assert candidate.publication_date == "2020-11"
    assert candidate.page_count == 239
    assert candidate.language == "ja"
    assert candidate.provider_ids == {"google_books": "GjASzgEACAAJ"}
    assert [(c.size_label, c.url) for c in candidate.covers] == [
        (
            "thumbnail",
            "https://books.google.com/books/content?id=GjASzgEACAAJ&printsec=frontcover&img=1"
            "&zoom=1&source=gbs_api",
        ),
        (
            "smallThumbnail",
            "https://books.google.com/books/content?id=GjASzgEACAAJ&printsec=frontcover&img=1"
            "&zoom=5&source=gbs_api",
        ),
    ]
    assert candidate.source_url.startswith("https://books.google.com/books/about/")
    request = http.calls[0].request
    assert request.params == {"q": "isbn:9784815602666"}  # no key configured: none sent


def test_the_api_key_is_sent_when_configured(http, google, settings):
    settings.GOOGLE_BOOKS_API_KEY = "google-test-key"
    http.get(VOLUMES, body=body("google_books", "volumes__q_isbn_9784815602666.json"))

    google.lookup_isbns(["9784815602666"])

    assert http.calls[0].request.params["key"] == "google-test-key"


def test_a_hit_for_another_isbn_is_not_a_hit(http, google):
    # `isbn:` is a relevance search: this answer is about 1568658079, not the ISBN asked.
    http.get(VOLUMES, body=body("google_books", "volumes__q_isbn_1568658079__no_imageLinks.json"))

    result = google.lookup_isbns(["9780316030571"])["9780316030571"]

    assert result.status == LookupStatus.NOT_FOUND
    assert result.candidates == []
    record = SourceRecord.objects.get(provider="google_books", lookup_key="isbn:9780316030571")
    assert record.status == SourceRecord.Status.MISS


def test_a_volume_without_image_links_has_no_cover(http, google):
    http.get(VOLUMES, body=body("google_books", "volumes__q_isbn_1568658079__no_imageLinks.json"))

    [candidate] = google.lookup_isbns(["1568658079"])["9781568658070"].candidates

    assert candidate.title == "The Book of the New Sun"
    assert candidate.subtitle.startswith("The Shadow of the Torturer")
    assert candidate.covers == []
    assert candidate.language == ""  # "un": unknown


def test_an_empty_answer_has_no_items_key(http, google):
    http.get(VOLUMES, body=body("google_books", "volumes__empty_result__totalItems_0.json"))

    result = google.lookup_isbns(["9780316030571"])["9780316030571"]

    assert result.status == LookupStatus.NOT_FOUND


def test_volume_detail_prefers_the_largest_image_without_the_curl(http, google):
    http.get(f"{VOLUMES}/G7utDwAAQBAJ", body=body("google_books", "volume__G7utDwAAQBAJ__fr.json"))

    [candidate] = google.volume("G7utDwAAQBAJ").candidates

    assert [cover.size_label for cover in candidate.covers] == [
        "extraLarge",
        "large",
        "medium",
        "small",
        "thumbnail",
        "smallThumbnail",
    ]
    largest = candidate.covers[0]
    assert largest.url.startswith("https://books.google.com/books/publisher/content?")
    assert "zoom=6" in largest.url
    assert all("edge=curl" not in cover.url for cover in candidate.covers)
    assert "imgtk=AFLRE70zvRYbN6L3AM1H" in largest.url  # the signed token survives
    assert candidate.publication_date == "2019-10-03"
    assert candidate.isbn13 == ["9782072853319"]
    # The category "Fiction / Science Fiction / General": its headings, "General" none.
    assert candidate.subjects == ["Fiction", "Science Fiction"]


def test_a_detail_answers_html_description_keeps_its_paragraphs(http, google):
    # The detail answer's description is HTML: paragraphs end in <br><br> and a bold first
    # line in </b><b><br></b>. Read as text, each break is a line break, never nothing at all
    # ("planet.Who will inherit..."), and the markup is gone.
    http.get(f"{VOLUMES}/49T5twEACAAJ", body=body("google_books", "volume__49T5twEACAAJ__en.json"))

    [candidate] = google.volume("49T5twEACAAJ").candidates
    proposed = merge_candidates([candidate]).fields["description"].value

    assert proposed.startswith(
        "Adrian Tchaikovksy's award-winning novel Children of Time, is the epic story of "
        "humanity's battle for survival on a terraformed planet.\nWho will inherit this new "
        "Earth?\n\nThe last remnants of the human race left a dying Earth,"
    )
    assert "prepared for human life.\n\nBut all is not right in this new Eden." in proposed
    assert "<" not in proposed and ">" not in proposed


def test_search_by_title_and_author_words(http, google):
    http.get(VOLUMES, body=body("google_books", "volumes__q_children_of_time_2015.json"))

    result = google.search(title="Children of Time", author="Adrian Tchaikovsky")

    english, french = result.candidates
    assert english.title == "Children of Time"
    assert english.isbn13 == ["9780316452502"]
    assert english.page_count is None  # Google says 0
    assert french.title == "Dans la toile du temps"
    assert "edge=curl" not in french.covers[0].url
    params = http.calls[0].request.params
    assert params["q"] == (
        "intitle:Children intitle:of intitle:Time inauthor:Adrian inauthor:Tchaikovsky"
    )


def test_a_daily_quota_429_spends_the_budget_for_the_day(http, google, clock):
    http.get(
        VOLUMES,
        status=429,
        body=body("google_books", "synthetic-error__429_queries_per_day.json"),
    )

    first = google.lookup_isbns(["9784815602666"])["9784815602666"]
    second = google.lookup_isbns(["9780316030571"])["9780316030571"]

    assert first.status == LookupStatus.QUOTA_EXHAUSTED
    assert second.status == LookupStatus.QUOTA_EXHAUSTED
    assert len(http.calls) == 1  # the second lookup sent nothing
    assert ProviderState.objects.get(provider="google_books").quota_exhausted
    clock.advance(24 * 3600)  # the next UTC day
    http.replace("GET", VOLUMES, body=body("google_books", "volumes__q_isbn_9784815602666.json"))
    assert google.lookup_isbns(["9784815602666"])["9784815602666"].status == LookupStatus.FOUND


def test_the_api_key_never_reaches_an_error_message(http, google, settings):
    settings.GOOGLE_BOOKS_API_KEY = "secret-google-key"
    http.get(
        VOLUMES,
        body=requests.exceptions.ConnectTimeout(
            "Max retries exceeded with url: /books/v1/volumes?q=isbn:1&key=secret-google-key"
        ),
    )

    result = google.lookup_isbns(["9784815602666"])["9784815602666"]

    assert result.status == LookupStatus.TIMEOUT
    assert "secret-google-key" not in result.error
    assert "secret-google-key" not in ProviderState.objects.get(provider="google_books").last_error


def test_image_links_on_an_operator_mirror_keep_plain_http(settings):
    settings.COVER_ALLOWED_HOSTS = ["127.0.0.1:8999"]
    mirror = "http://127.0.0.1:8999/books/content?id=x&zoom=1&edge=curl"
    assert clean_image_url(mirror) == "http://127.0.0.1:8999/books/content?id=x&zoom=1"
    public = "http://books.google.com/books/content?id=x&zoom=1&edge=curl"
    assert clean_image_url(public) == "https://books.google.com/books/content?id=x&zoom=1"


def test_one_unreadable_volume_leaves_the_others_of_the_answer(http, google):
    # The real search answer with a third item that is no volume (built here, not recorded):
    # that item is left out, the two real volumes still count. An answer with no readable
    # volume at all stays unreadable (asked again later).
    answer = load("google_books", "volumes__q_children_of_time_2015.json")
    answer["items"].append("not a volume")
    http.get(VOLUMES, json=answer)
    http.get(VOLUMES, json={"kind": "books#volumes", "totalItems": 2, "items": [1, "two"]})

    result = google.search(title="Children of Time", author="Adrian Tchaikovsky")
    nothing_readable = google.search(title="Use of Weapons", author="Iain M. Banks")

    assert result.status == LookupStatus.FOUND
    assert len(result.candidates) == 2
    assert nothing_readable.status == LookupStatus.UNPARSEABLE


def test_a_regional_language_tag_is_no_other_language(http, google):
    """Google Books tags a Brazilian edition "pt-BR" (the real volume R7KuDwAAQBAJ, O Senhor
    dos Anéis): a book the catalog or Open Library holds as Portuguese ("pt") was proposed a
    language change "pt" -> "pt-br", and the two providers did not count as agreeing."""
    item = load("google_books", "volumes_item__R7KuDwAAQBAJ__pt-BR.json")
    http.get(VOLUMES, json={"kind": "books#volumes", "totalItems": 1, "items": [item]})

    [candidate] = google.search(title="O Senhor dos Anéis", author="Tolkien").candidates
    merged = merge_candidates(
        [candidate, Candidate(provider="openlibrary", language="por")],
        provider_order=["google_books", "openlibrary"],
    )

    assert candidate.language == "pt-br"
    assert merged.fields["language"].agree == ["openlibrary"]
    unchanged = build_proposal(
        current={"language": "pt"}, merged=merged, tier="high", scores=Scores()
    )
    assert "language" not in unchanged.fields
    english = build_proposal(
        current={"language": "en"}, merged=merged, tier="high", scores=Scores()
    )
    assert english.fields["language"].proposed == "pt-br"


def test_a_day_first_date_is_read_as_its_day(http, google):
    """The real Brazilian volume R7KuDwAAQBAJ dates itself "25/11/2019", day first: it was
    proposed as the year 2019 alone, where its day (25 November 2019) cannot be mistaken."""
    item = load("google_books", "volumes_item__R7KuDwAAQBAJ__pt-BR.json")
    http.get(VOLUMES, json={"kind": "books#volumes", "totalItems": 1, "items": [item]})

    [candidate] = google.search(title="O Senhor dos Anéis", author="Tolkien").candidates

    assert candidate.publication_date == "2019-11-25"


def test_a_year_past_the_latest_a_book_may_have_is_no_date(http, google):
    """The real Brazilian volume R7KuDwAAQBAJ, its date set by the test to 2090: proposed as
    the book's publication date (the providers stopped at 2099), where an export's year past
    this year and five more was dropped as no year."""
    item = load("google_books", "volumes_item__R7KuDwAAQBAJ__pt-BR.json")
    item["volumeInfo"]["publishedDate"] = "2090-05-01"
    http.get(VOLUMES, json={"kind": "books#volumes", "totalItems": 1, "items": [item]})

    [candidate] = google.search(title="O Senhor dos Anéis", author="Tolkien").candidates

    assert candidate.publication_date == ""


def test_a_series_statement_in_the_subtitle_is_read_as_the_series(http, google):
    """Publishers print the series under the title, and Google Books files it as the subtitle
    ("Book One of the Stormlight Archive"): it was proposed as the book's subtitle. The real
    detail answer of Children of Time (book one of its series), its subtitle set by the test."""
    volume = load("google_books", "volume__49T5twEACAAJ__en.json")
    volume["volumeInfo"]["subtitle"] = "Book One of the Children of Time Series"
    http.get(f"{VOLUMES}/49T5twEACAAJ", json=volume)

    [candidate] = google.volume("49T5twEACAAJ").candidates
    proposal = build_proposal(
        current={"subtitle": ""}, merged=merge_candidates([candidate]), tier="high", scores=Scores()
    )

    assert (candidate.series, candidate.series_number) == ("Children of Time Series", "1")
    assert candidate.subtitle == ""
    assert "subtitle" not in proposal.fields
    assert proposal.values(["series", "series_number"]) == {
        "series": "Children of Time Series",
        "series_number": "1",
    }
    assert candidate.notes == [
        "The subtitle “Book One of the Children of Time Series” names the series (Children of "
        "Time Series, number 1): it is not proposed as the subtitle."
    ]


def test_a_subtitle_that_is_no_series_statement_is_proposed(http, google):
    """The real omnibus The Book of the New Sun lists its four novels in its subtitle."""
    http.get(VOLUMES, body=body("google_books", "volumes__q_isbn_1568658079__no_imageLinks.json"))

    [candidate] = google.lookup_isbns(["9781568658070"])["9781568658070"].candidates

    assert candidate.subtitle.startswith("The Shadow of the Torturer ; The Claw")
    assert candidate.series == ""


@pytest.mark.parametrize(
    ("fetch", "name"),
    [
        ("volume", "volume__49T5twEACAAJ__en.json"),  # HTML
        ("search", "volumes__q_children_of_time_2015.json"),  # the same, as plain text
    ],
)
def test_a_tag_name_left_glued_to_the_last_sentence_is_not_proposed(http, google, fetch, name):
    """Google's recorded description of Children of Time ends "…who are the true heirs of this
    new Earth?span": the name of a tag cut badly, no word of the book's."""
    http.get(f"{VOLUMES}/49T5twEACAAJ", body=body("google_books", name))
    http.get(VOLUMES, body=body("google_books", name))
    if fetch == "volume":
        [candidate] = google.volume("49T5twEACAAJ").candidates
    else:
        candidate = google.search(title="Children of Time", author="Adrian Tchaikovsky").candidates[
            0
        ]

    proposed = merge_candidates([candidate]).fields["description"].value

    assert proposed.endswith("who are the true heirs of this new Earth?")


def test_a_bookseller_category_path_is_proposed_as_its_subjects(http, google):
    """The real detail answer for Children of Time files five BISAC paths as its categories
    ("Fiction / Science Fiction / Alien Contact", …): proposed as the subjects they name, each
    once, where the five paths were proposed whole (the search answer's "Fiction" then stood
    beside "Fiction / Science Fiction / Space Opera" as another subject)."""
    http.get(f"{VOLUMES}/49T5twEACAAJ", body=body("google_books", "volume__49T5twEACAAJ__en.json"))

    [candidate] = google.volume("49T5twEACAAJ").candidates

    assert candidate.subjects == [
        "Fiction",
        "Science Fiction",
        "Alien Contact",
        "Genetic Engineering",
        "Hard Science Fiction",
        "Space Exploration",
        "Space Opera",
    ]


def test_a_volumes_page_count_is_the_printed_books(http, google):
    """The real volume answer for Dans la toile du temps counts 704 in `pageCount` (its ebook)
    and 478 in `printedPageCount`, the printed book's, which its search answer gives as its
    `pageCount`: 478 is proposed, where 704 was. Without a printed count, `pageCount` stands
    (Children of Time: 640 both)."""
    http.get(f"{VOLUMES}/G7utDwAAQBAJ", body=body("google_books", "volume__G7utDwAAQBAJ__fr.json"))
    http.get(f"{VOLUMES}/49T5twEACAAJ", body=body("google_books", "volume__49T5twEACAAJ__en.json"))
    http.get(VOLUMES, body=body("google_books", "volumes__q_children_of_time_2015.json"))

    [french] = google.volume("G7utDwAAQBAJ").candidates
    [english] = google.volume("49T5twEACAAJ").candidates
    searched = google.search(title="Children of Time", author="Tchaikovsky").candidates

    assert french.page_count == 478
    assert english.page_count == 640
    assert [c.page_count for c in searched if c.title == "Dans la toile du temps"] == [478]
