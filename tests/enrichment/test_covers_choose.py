"""choose_cover: the best source first; the first verified image wins; every refusal recorded."""

import hashlib

import pytest
import responses
from PIL import Image

from enrichment.candidates import CoverRef
from enrichment.covers import RejectionReason, choose_cover, ordered_cover_refs
from enrichment.covers import hosts as cover_hosts
from enrichment.proposals import CoverRejection
from tests.fixtures.covers import synthetic

JPEG = synthetic.read("synthetic-cover-400x600.jpg")
OTHER_JPEG = synthetic.cover_jpeg(300, 450, seed=11)
GIF_1X1 = synthetic.read("synthetic-openlibrary-missing-1x1.gif")

OL_L = CoverRef("openlibrary", "https://covers.openlibrary.org/b/id/1-L.jpg", "1", "L")
OL_M = CoverRef("openlibrary", "https://covers.openlibrary.org/b/id/1-M.jpg", "1", "M")
OL_BY_ISBN = CoverRef(
    "openlibrary", "https://covers.openlibrary.org/b/isbn/9780000000002-L.jpg", "", "L"
)
DUMP_L = CoverRef("openlibrary_dump", "https://covers.openlibrary.org/b/id/2-L.jpg", "2", "L")
ARCHIVE = CoverRef("archive_org", "https://archive.org/services/img/somebook", "somebook")
ISBNDB = CoverRef("isbndb", "https://images.isbndb.com/covers/02/02/9780000000002.jpg")
GOOGLE_LARGE = CoverRef(
    "google_books",
    "http://books.google.com/books/content?id=X&printsec=frontcover&img=1&zoom=1",
    size_label="thumbnail",
    width=1280,
    height=1920,
)
AMAZON = CoverRef("amazon", "https://images-na.ssl-images-amazon.com/images/P/0000000000.01.L.jpg")
AMAZON_PLACEHOLDER = CoverRef(
    "amazon", "https://images-na.ssl-images-amazon.com/images/I/01RmK+J4pJL._SL500_.gif"
)


@pytest.fixture(autouse=True)
def cover_settings(settings, monkeypatch):
    settings.OPENLIBRARY_COVERS_URL = "https://covers.openlibrary.org"
    settings.ARCHIVE_ORG_URL = "https://archive.org"
    settings.COVER_ALLOWED_HOSTS = []
    # Every name is a public host here: the address checks have their own tests.
    monkeypatch.setattr(cover_hosts, "resolve_host", lambda host, port: ("93.184.216.34",))


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        yield mocked


def serve(http, ref_or_url, body, status=200):
    url = getattr(ref_or_url, "url", ref_or_url).replace("http://", "https://")
    http.get(url, body=body, status=status, content_type="image/jpeg")


def fetched(http) -> list[str]:
    return [call.request.url for call in http.calls]


def test_candidates_are_ordered_by_source_then_size():
    refs = [AMAZON, GOOGLE_LARGE, ISBNDB, OL_BY_ISBN, OL_M, ARCHIVE, DUMP_L, OL_L]
    assert ordered_cover_refs(refs) == [
        DUMP_L,  # Open Library / dump / Archive.org by cover id: L before M, unsized last;
        OL_L,  # ties keep the order they came in
        OL_M,
        ARCHIVE,
        OL_BY_ISBN,  # Open Library without a cover id (rate limited by ISBN)
        ISBNDB,
        GOOGLE_LARGE,  # Google below ISBNdb even when it is larger
        AMAZON,  # Amazon patterns last
    ]


def test_a_photo_whose_licence_its_source_states_comes_first():
    commons = CoverRef(
        "wikidata", "https://commons.wikimedia.org/wiki/Special:FilePath/A.jpg", licence="CC0"
    )
    unlicensed = CoverRef("wikidata", "https://commons.wikimedia.org/wiki/Special:FilePath/B.jpg")
    assert ordered_cover_refs([OL_M, unlicensed, OL_L, commons]) == [
        commons,  # stored with its licence: Open Library states none for its photos
        OL_L,
        OL_M,
        unlicensed,
    ]


def test_the_first_verified_cover_wins_and_nothing_after_it_is_fetched(http):
    for ref in (OL_L, OL_M, GOOGLE_LARGE):
        serve(http, ref, JPEG)
    choice = choose_cover([GOOGLE_LARGE, OL_M, OL_L])
    assert choice.found and choice.ref == OL_L
    assert choice.image.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert fetched(http) == [OL_L.url]
    assert choice.rejections == []


def test_a_placeholder_falls_through_to_the_next_candidate_and_is_recorded(http):
    serve(http, OL_L, GIF_1X1)  # Open Library's answer for a missing cover
    serve(http, OL_M, JPEG)
    choice = choose_cover([OL_L, OL_M])
    assert choice.ref == OL_M
    assert [(r.ref, r.reason) for r in choice.rejections] == [(OL_L, RejectionReason.PLACEHOLDER)]
    assert choice.rejections_seen() == [
        CoverRejection(
            provider="openlibrary",
            url=OL_L.url,
            reason="placeholder",
            message="Open Library's 1x1 missing-cover GIF",
        )
    ]


def test_google_is_tried_over_https_when_better_sources_fail(http):
    serve(http, OL_L, b"", status=404)
    serve(http, ISBNDB, synthetic.read("synthetic-html-page.html"))
    serve(http, GOOGLE_LARGE, OTHER_JPEG)
    choice = choose_cover([GOOGLE_LARGE, ISBNDB, OL_L])
    assert choice.ref == GOOGLE_LARGE
    assert fetched(http)[-1].startswith("https://books.google.com/")
    assert [r.reason for r in choice.rejections] == [
        RejectionReason.NOT_FOUND,
        RejectionReason.NOT_AN_IMAGE,
    ]


def test_an_amazon_placeholder_url_is_refused_without_fetching(http, settings):
    settings.COVER_ALLOWED_HOSTS = ["images-na.ssl-images-amazon.com"]
    choice = choose_cover([AMAZON_PLACEHOLDER])
    assert not choice.found
    assert [(r.ref, r.reason) for r in choice.rejections] == [
        (AMAZON_PLACEHOLDER, RejectionReason.PLACEHOLDER)
    ]
    assert fetched(http) == []


def test_amazon_is_last_and_counts_only_if_it_verifies(http, settings):
    settings.COVER_ALLOWED_HOSTS = ["images-na.ssl-images-amazon.com"]
    serve(http, OL_L, synthetic.uniform_jpeg())
    serve(http, AMAZON, synthetic.encode(Image.new("P", (1, 1)), "GIF"))  # Amazon's 1x1
    choice = choose_cover([AMAZON, OL_L])
    assert not choice.found
    assert [(r.ref, r.reason) for r in choice.rejections] == [
        (OL_L, RejectionReason.UNIFORM),
        (AMAZON, RejectionReason.TOO_SMALL),
    ]
    http.replace(responses.GET, AMAZON.url, body=OTHER_JPEG, content_type="image/jpeg")
    assert choose_cover([AMAZON, OL_L]).ref == AMAZON


def test_amazon_hosts_are_not_allowed_unless_the_operator_adds_them(http):
    choice = choose_cover([AMAZON])
    assert [r.reason for r in choice.rejections] == [RejectionReason.HOST_NOT_ALLOWED]
    assert fetched(http) == []


def test_identical_urls_are_fetched_once(http):
    serve(http, OL_L, GIF_1X1)
    same_url_from_the_dump = CoverRef("openlibrary_dump", OL_L.url, "1", "L")
    choice = choose_cover([OL_L, same_url_from_the_dump])
    assert fetched(http) == [OL_L.url]
    assert len(choice.rejections) == 1


def test_no_candidates_means_no_cover():
    choice = choose_cover([])
    assert (choice.found, choice.image, choice.ref, choice.rejections) == (False, None, None, [])
