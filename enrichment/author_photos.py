"""Whether an image a source offers as a person's is a portrait of them: one rule, pure.

Wikidata's image (P18) of a person is meant to be their likeness, but its items also carry
their signature (P109), their grave (P1442) and their house as Commons files, and one of those
is sometimes the P18 too. A Commons file name says what it shows ("Douglas Adams Unterschrift
.jpg", "Douglas Adams' gravestone.jpg"), and a vector drawing (SVG) is a signature, a coat of
arms or a logo, never a photograph: none is proposed as the author's photo. A bust or a statue
is their likeness and is kept. Open Library's photos are numbers with no name to read; its "no
photo" (-1) is dropped where its ids are read, and a placeholder or tiny image is refused when
the bytes are verified (enrichment.covers), as a book cover's is.

A portrait is about as tall as wide, or taller: an image much wider (a group photo, a banner,
a panorama) or much taller (a strip of several pictures) is not one (`unfit_photo_shape`).
Commons says a file's size before it is downloaded, and such a photo is not proposed; every
photo downloaded, Open Library's too, is held to the same rule once verified.
"""

import re

from django.utils.translation import gettext_noop

#: Words of a file name that say what the image shows instead of the person, in the languages
#: Commons file names are mostly written in -> what it shows (a msgid, said in the note).
_NOT_A_PORTRAIT = {
    gettext_noop("a signature"): (
        "signature", "signatures", "autograph", "autographe", "autografo", "autógrafo",
        "unterschrift", "signatur", "firma", "handtekening", "podpis", "подпись", "namnteckning",
    ),
    gettext_noop("a grave"): (
        "grave", "gravestone", "tomb", "tombstone", "headstone", "grab", "grabstein", "grabmal",
        "tumba", "tombe", "tomba", "sepulcro", "sepultura", "могила", "gravsten", "cemetery",
        "friedhof", "cimetière", "cementerio",
    ),
    gettext_noop("a house"): (
        "house", "haus", "geburtshaus", "wohnhaus", "birthplace", "casa", "maison", "residence",
        "дом",
    ),
    gettext_noop("a plaque or a memorial"): (
        "plaque", "gedenktafel", "memorial", "monument", "denkmal", "lápida", "мемориальная",
    ),
    gettext_noop("a coat of arms"): ("wappen", "blason", "escudo", "герб"),
}  # fmt: skip
_WORDS = re.compile(r"[^\W\d_]+")
_DRAWING_EXTENSIONS = (".svg",)


def not_a_portrait(file_name: str, person_name: str = "") -> str:
    """What a Commons file name says its image shows instead of the person (a msgid: "a
    signature", "a grave", "a house", "a drawing (SVG)"); "" when it may be their portrait.

    A word of the person's own name says nothing of the image: Silas House's portrait is
    "Silas House.jpg", not a house."""
    name = file_name.strip().casefold()
    words = set(_WORDS.findall(name.rsplit(".", 1)[0] if "." in name else name))
    words -= set(_WORDS.findall(person_name.casefold()))
    for shows, said_by in _NOT_A_PORTRAIT.items():
        if words.intersection(said_by):
            return shows
    if "coat of arms" in " ".join(_WORDS.findall(name)):
        return gettext_noop("a coat of arms")
    if name.endswith(_DRAWING_EXTENSIONS):
        return gettext_noop("a drawing (SVG)")
    return ""


#: How much wider than tall (a group photo, a banner) or taller than wide (a strip of pictures)
#: an image may be and still be taken for a person's portrait (a full-length portrait is
#: about 1 wide by 2 tall, a half-length one in landscape about 3 by 2).
PHOTO_MAX_WIDTH_PER_HEIGHT = 2.0
PHOTO_MAX_HEIGHT_PER_WIDTH = 2.5


def unfit_photo_shape(width: int | None, height: int | None) -> str:
    """What an image of these dimensions is instead of a portrait (a msgid: "a group photo or a
    banner (too wide)", "a strip of pictures (too tall)"); "" when it may be one, or when its
    size is not known."""
    if not width or not height or width <= 0 or height <= 0:
        return ""
    if width > height * PHOTO_MAX_WIDTH_PER_HEIGHT:
        return gettext_noop("a group photo or a banner (too wide)")
    if height > width * PHOTO_MAX_HEIGHT_PER_WIDTH:
        return gettext_noop("a strip of pictures (too tall)")
    return ""
