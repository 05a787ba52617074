"""An author's photo must be shaped as a portrait (enrichment.author_photos.unfit_photo_shape):
a group photo or a banner (much wider than tall), a strip of pictures (much taller than wide)
is no likeness of one person. Commons says a file's size when its licence is asked
(`iiprop=size`): such a photo is not proposed, unfetched. The Commons answer is synthetic
(tests/fixtures/providers/wikidata/PROVENANCE.md); the bytes' side is
tests/enrichment/test_author_engine_photo_shape.py."""

import pytest

from enrichment.author_candidates import AuthorCandidate
from enrichment.author_matching import AuthorMatchScore
from enrichment.author_photos import unfit_photo_shape
from enrichment.author_proposal import merge_author_candidates
from enrichment.matching import Tier
from enrichment.providers import wikidata_authors
from enrichment.providers.wikidata import WikidataProvider
from tests.enrichment.providers.helpers import body

COMMONS_API = "https://commons.wikimedia.org/w/api.php"
SIZES = "synthetic-commons__imageinfo_size.json"


@pytest.fixture
def wikidata(make):
    return make(WikidataProvider)


@pytest.mark.parametrize(
    ("width", "height", "shows"),
    [
        (500, 640, ""),  # a head and shoulders
        (300, 400, ""),
        (1536, 1024, ""),  # 3:2, a portrait in landscape
        (1000, 2000, ""),  # a full-length portrait
        (2400, 1180, "a group photo or a banner (too wide)"),
        (1200, 300, "a group photo or a banner (too wide)"),
        (400, 1800, "a strip of pictures (too tall)"),
        (None, None, ""),  # a size no source gave says nothing
        (0, 400, ""),
    ],
)
def test_a_portrait_s_shape(width, height, shows):
    assert unfit_photo_shape(width, height) == shows


def test_a_commons_photo_shaped_as_no_portrait_is_not_proposed_and_not_fetched(http, wikidata):
    """Wikidata's P18 of a person is sometimes a group photo: it was proposed, downloaded,
    verified and applied as the author's photo. Commons' size says so before any download."""
    commons = http.get(COMMONS_API, body=body("wikidata", SIZES))
    files = [
        "George Orwell with BBC colleagues.jpg",
        "George Orwell press photo.jpg",
        "George Orwell contact sheet.jpg",
    ]
    person = AuthorCandidate(
        provider="wikidata",
        name="George Orwell",
        photos=[
            wikidata_authors.photo_ref(
                name, commons_url="https://commons.wikimedia.org", provider="wikidata"
            )
            for name in files
        ],
    )

    [person] = wikidata.add_photo_licences([person])

    assert commons.call_count == 1
    assert http.calls[0].request.params["iiprop"] == "url|size|extmetadata"
    [portrait] = person.photos
    assert (portrait.photo_id, portrait.width, portrait.height) == (files[1], 500, 640)
    assert portrait.licence == "Public domain"
    assert [n for n in person.notes if n.startswith("Wikidata's image")] == [
        "Wikidata's image George Orwell with BBC colleagues.jpg is 2400×1180 pixels, a group"
        " photo or a banner (too wide), not a portrait: not proposed.",
        "Wikidata's image George Orwell contact sheet.jpg is 400×1800 pixels, a strip of"
        " pictures (too tall), not a portrait: not proposed.",
    ]
    # Merged, the portrait alone is proposed, with the size Commons gave.
    high = AuthorMatchScore(identifier=5, name=5, works=5, tier=Tier.HIGH)
    merged = merge_author_candidates([(person, high)], provider_order=["wikidata"])
    assert [(c.cover_id, c.width, c.height) for c in merged.covers] == [(files[1], 500, 640)]


def test_a_photo_whose_size_commons_does_not_say_is_still_proposed(http, wikidata):
    """An older cached answer, or a file Commons lacks: nothing known of the shape before the
    download, which is then held to the rule (the engine's test)."""
    http.get(COMMONS_API, body=body("wikidata", "synthetic-commons__imageinfo_extmetadata.json"))
    person = AuthorCandidate(
        provider="wikidata",
        photos=[
            wikidata_authors.photo_ref(name, commons_url="x", provider="wikidata")
            for name in ("George Orwell press photo.jpg", "Nobody has this file.jpg")
        ],
    )

    [person] = wikidata.add_photo_licences([person])

    assert [(p.photo_id, p.width) for p in person.photos] == [
        ("George Orwell press photo.jpg", None),
        ("Nobody has this file.jpg", None),
    ]
    assert not person.notes
