"""Pure text normalization shared by the importers, the catalog's lookup keys and matching."""

import functools
import re
import unicodedata

from catalog.listing_suffixes import strip_listing_suffix
from catalog.name_order import HONOURS, sort_name_turned_around

# The last parenthesis of a title: "Ninth House (Alex Stern, #1)", "Dune (Dune Chronicles #1)",
# "Raising Steam (Discworld, #40; Moist von Lipwig, #3)", "(Prentice-Hall ... Series in ...)".
_TRAILING_PARENTHESIS = re.compile(r"\s*\((?P<inside>[^()]+)\)\s*$")
# One series in it: a name, then `#` and a number such as 2, 0.5, 1-3 or "4, Part 2"; a half
# may lose its 0 (`#.5`).
_NUMBERED_SERIES = re.compile(r"^(?P<name>.*?\S),?\s*#\s*(?P<number>\.?\d[^#]*?)\s*$")
# A book in several places of one series: a collection, or a novella Goodreads numbers more
# than once (`Stín Krkavce, #0.5, #0.7, #1.5`, `Maisie Dobbs, #1 & #2`, and with the first `#`
# only, `Grishaverse, #0.5, 2.5, 2.6`). A series entry holds one number.
_BARE_NUMBER = r"\.?\d+(?:\.\d+)?(?:\s*-\s*\d+(?:\.\d+)?)?"
_ONE_NUMBER = rf"#\s*{_BARE_NUMBER}"
_SEVERAL_NUMBERS = re.compile(
    rf"^(?P<name>.*?[^\W\d_][^#]*?),?\s*(?P<first>{_ONE_NUMBER})(?P<others>(?:\s*(?:,|&|\band\b)?"
    rf"\s*{_ONE_NUMBER}|\s*(?:,|&|\band\b)\s*{_BARE_NUMBER})+)\s*$"
)
_ANOTHER_BARE = re.compile(rf"\s*{_BARE_NUMBER}\s*(?:,|&|\band\b)\s*\.?\d")
# Without a `#`, a parenthesis is a series only when it says so (a publisher's series such as
# "Penguin Classics"); "(Ten Moments That Shaped)" or "(Unabridged)" stay in the title.
_SERIES_WORDS = re.compile(
    r"\b(series|serie|seria|serien|serisi|collection|coleccion|collana|collezione|library|"
    r"bibliothek|bibliotheque|biblioteca|classics|klassiker|saga|trilogy|trilogie|trilogia|"
    r"duology|cycle|zyklus|ciclo|chronicles|chroniken|cronicas|universe|reihe|sequence|"
    r"quartet|quintet|comics|comix|серия|цикл|σειρα)\b"
)
# A Japanese publisher's series, as Amazon.co.jp writes it after a title: a name then the
# word, which runs on without a space (`新潮文庫` Shincho Bunko, `少年サンデーコミックス`,
# `ハヤカワ文庫 SF 543`, `ドラえもんの学習シリーズ`). Without a name, `(文庫)` is a format.
_JAPANESE_SERIES_WORDS = re.compile(r"\S\s*(?:文庫|新書|コミックス|コミック|ノベルス|シリーズ)")
# The number after such a name is the book's in that series: `ハヤカワ文庫 SF 543`,
# `青い鳥文庫 69-1`.
_JAPANESE_SERIES_NUMBER = re.compile(r"^(?P<name>.*\S)\s+(?P<number>\d+(?:-\d+)?)$")
# A series numbered the way Amazon writes it, a name then a word and a number: "The Oregon
# Files Book 9", "TCP/IP Illustrated, Volume 2", "Discworld Novel 5", "Data Mining Series Book
# 36". It needs the name: a bare "(Book 3)" or "(Part 1)" stays in the title, or every volume of
# "Akira (Part 1)" would have one title key.
# The number may be a Roman numeral, as upper case as Amazon writes it (`Learn to Play Go,
# Volume III`, `Vampire Chronicles, Book II`); it is stored in arabic figures (3).
# A publisher's series numbers its books with No. (`Folio Series, No 763`, `Loeb Classical
# Library No. 182`), after a colon too (`Folio Ser.: No.879`); Amazon.es with nº (`Inspector
# Santana nº 2`, `HarperCollins nº 4007`), Portuguese with n.º.
_NUMBER_WORD = (
    r"(?:vol\.\s*|no\.\s*|n\.?[º°]\s*|"
    r"(?:book|novel|part|vol|volume|band|bd\.|tome|tomo|libro|livre|no)\s+)"
)
ROMAN_NUMERAL = r"(?-i:(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))"  # never empty
_WORDED_NUMBER = re.compile(
    rf"^(?P<name>.*?[^\W\d_].*?)[,:]?\s+{_NUMBER_WORD}"
    rf"(?:(?P<number>\d+(?:\.\d+)?)|(?P<roman>{ROMAN_NUMERAL}))$",
    re.IGNORECASE,
)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
# Amazon's newer form, a name, a comma and a bare number: `Good to Great, 2`, `Lecture Notes in
# Electrical Engineering, 668`, `Канашибари, 4`. The name must not be a number itself (`1984,
# 2`) nor a volume without a name (`Vol. 1, 2`); a year after the comma is a date
# (`Berlin, 1998`), so it stays in the title.
_COMMA_NUMBER = re.compile(r"^(?P<name>.*?[^\W\d_].*?),\s*(?P<number>\d+(?:\.\d+)?)$")
# What follows a title's colon or dash that is no subtitle but the volume's number, kept in the
# title: `Hokuto No Ken: 15` and `Hokuto No Ken: 14` are two books, not one subtitled twice.
_ONLY_A_NUMBER = re.compile(rf"^(?:\d+|{ROMAN_NUMERAL})$")
_BARE_VOLUME = re.compile(rf"^{_NUMBER_WORD}(?:\d+|{ROMAN_NUMERAL})$", re.IGNORECASE)
_YEAR = re.compile(r"^(?:1[5-9]|20)\d\d$")
# ... unless it names an edition ("Library Edition", "Edición de colección").
# The words beside a bare series word in a parenthesis that names the kind of book, not a series.
_FORMAT_NOTE_WORDS = frozenset({"the", "a", "complete", "box", "boxed", "set", "omnibus", "book"})
_EDITION_WORDS = re.compile(r"\b(edition|edicion|edizione|ausgabe|auflage|editie|издание)\b")


def strip_accents(text: str) -> str:
    if text.isascii():
        return text  # no accents, and nothing for NFKD to decompose
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Language names (English, as LibraryThing writes them) and ISO 639-2 codes (calibre) ->
# ISO 639-1, for the languages seen in real exports; other codes are kept as written.
LANGUAGES = {
    "arabic": "ar", "ara": "ar", "catalan": "ca", "cat": "ca", "chinese": "zh", "chi": "zh",
    "zho": "zh", "czech": "cs", "cze": "cs", "ces": "cs", "danish": "da", "dan": "da",
    "dutch": "nl", "dut": "nl", "nld": "nl", "english": "en", "eng": "en", "finnish": "fi",
    "fin": "fi", "french": "fr", "fre": "fr", "fra": "fr", "german": "de", "ger": "de",
    "deu": "de", "greek": "el", "gre": "el", "ell": "el", "hebrew": "he", "heb": "he",
    "hungarian": "hu", "hun": "hu", "italian": "it", "ita": "it", "japanese": "ja",
    "jpn": "ja", "korean": "ko", "kor": "ko", "latin": "la", "lat": "la", "latvian": "lv",
    "lav": "lv", "norwegian": "no", "nor": "no", "polish": "pl", "pol": "pl",
    "portuguese": "pt", "por": "pt", "romanian": "ro", "rum": "ro", "ron": "ro",
    "russian": "ru", "rus": "ru", "spanish": "es", "spa": "es", "swedish": "sv", "swe": "sv",
    "turkish": "tr", "tur": "tr", "ukrainian": "uk", "ukr": "uk", "hindi": "hi", "hin": "hi",
    "persian": "fa", "farsi": "fa", "per": "fa", "fas": "fa", "urdu": "ur", "urd": "ur",
    "galician": "gl", "glg": "gl", "basque": "eu", "baq": "eu", "eus": "eu",
    "lithuanian": "lt", "lit": "lt", "estonian": "et", "est": "et", "icelandic": "is",
    "ice": "is", "isl": "is", "esperanto": "eo", "epo": "eo", "bengali": "bn", "ben": "bn",
}  # fmt: skip
# Country codes that home-made lists write for a language (`CZ` for Czech) and that are no ISO
# 639-1 code; one that is a code stays that language (`se` Northern Sami, `kr` Kanuri).
LANGUAGES.update({"cz": "cs", "dk": "da", "jp": "ja", "gr": "el", "ua": "uk", "cn": "zh"})
# The same languages' names in French and Spanish, which say an edition's language in a title
# as English does (`The Catcher in the Rye (en anglais)`, a French library's); written with or
# without their accents.
_FRENCH_AND_SPANISH_NAMES = {
    "ar": ("arabe", "árabe"), "ca": ("catalan", "catalán"), "zh": ("chinois", "chino"),
    "cs": ("tchèque", "checo"), "da": ("danois", "danés"),
    "nl": ("néerlandais", "neerlandés", "holandés"), "en": ("anglais", "inglés"),
    "fi": ("finnois", "finlandés"), "fr": ("français", "francés"), "de": ("allemand", "alemán"),
    "el": ("grec", "griego"), "he": ("hébreu", "hebreo"), "hu": ("hongrois", "húngaro"),
    "it": ("italien", "italiano"), "ja": ("japonais", "japonés"), "ko": ("coréen", "coreano"),
    "la": ("latín",), "pl": ("polonais", "polaco"), "pt": ("portugais", "portugués"),
    "ro": ("roumain", "rumano"), "ru": ("russe", "ruso"), "es": ("espagnol", "español"),
    "sv": ("suédois", "sueco"), "tr": ("turc", "turco"), "uk": ("ukrainien", "ucraniano"),
    "no": ("norvégien", "noruego"),
}  # fmt: skip
# An app names a book's language in the language of its interface (BookBuddy on a Portuguese
# phone: `português`, `inglês`, `híndi`): the names in Portuguese, Italian and German, and each
# language's own name (`Deutsch`, `Nederlands`, `日本語`).
_NAMES_IN_AN_APPS_LANGUAGE = {
    "ar": ("arabo", "arabisch", "العربية"), "ca": ("catalão", "catalano", "katalanisch", "català"),
    "zh": ("chinês", "cinese", "chinesisch", "中文"),
    "cs": ("tcheco", "ceco", "tschechisch", "čeština"),
    "da": ("dinamarquês", "danese", "dänisch", "dansk"),
    "nl": ("holandês", "neerlandês", "olandese", "niederländisch", "nederlands"),
    "en": ("inglês", "inglese", "englisch"), "fi": ("finlandês", "finlandese", "finnisch", "suomi"),
    "fr": ("francês", "francese", "französisch"), "de": ("alemão", "tedesco", "deutsch"),
    "el": ("grego", "greco", "griechisch", "ελληνικά"),
    "he": ("hebraico", "ebraico", "hebräisch", "עברית"), "hi": ("híndi", "हिन्दी"),
    "hu": ("ungherese", "ungarisch", "magyar"), "it": ("italienisch",),
    "ja": ("japonês", "giapponese", "japanisch", "日本語"),
    "ko": ("koreanisch", "한국어"), "la": ("latim", "latino", "latein"),
    "no": ("norueguês", "norvegese", "norwegisch", "norsk"),
    "pl": ("polonês", "polacco", "polnisch", "polski"),
    "pt": ("português", "portoghese", "portugiesisch"), "ro": ("romeno", "rumeno", "rumänisch"),
    "ru": ("russo", "russisch", "русский"), "es": ("espanhol", "spagnolo", "spanisch"),
    "sv": ("svedese", "schwedisch", "svenska"), "tr": ("türkisch", "türkçe"),
    "uk": ("ucraino", "ukrainisch", "українська"),
}  # fmt: skip
# Their written languages' names in Chinese (`日文`, Japanese), as Douban marks an edition's.
_CHINESE_NAMES = {"en": ("英文",), "ja": ("日文",), "ko": ("韩文", "韓文"), "de": ("德文",),
                  "fr": ("法文",), "ru": ("俄文",)}  # fmt: skip
for _names_by_code in (_FRENCH_AND_SPANISH_NAMES, _NAMES_IN_AN_APPS_LANGUAGE, _CHINESE_NAMES):
    for _code, _names in _names_by_code.items():
        for _name in _names:
            LANGUAGES[_name] = LANGUAGES[strip_accents(_name)] = _code
# Amazon's title suffix naming an edition's language, which Goodreads copies: `La cuarta
# mirada (Spanish Edition)`, `Deathnote Vol. 2 (in Japanese)`, `Lehakir Et Hamas (Getting to Know
# Hamas, Hebrew Edition)`, `…, Hebrew Edition`. The same book from another source has no such
# suffix. A language by its name (LANGUAGES): `(UK Edition)` and `(US Edition)` name countries,
# not Ukrainian; `(Revised Edition)` is no language.
_LANGUAGE_NAME = r"(?P<language>[^\W\d_]{4,})"
_LANGUAGE_EDITIONS = (
    re.compile(rf"\s*\({_LANGUAGE_NAME} Edition\)\s*$"),
    # A bilingual edition, `(English and French Edition)`, `(English and Bengali Edition)`: its
    # language is the first named, the text's (Amazon names the translation's language before
    # the original's, which faces it), and both must be languages (not `(Updated and Expanded
    # Edition)`).
    re.compile(rf"\s*\({_LANGUAGE_NAME} and (?P<second>[^\W\d_]{{4,}}) Edition\)\s*$"),
    # `(in Japanese)`, and `(en anglais)`, `(en español)` in French and Spanish.
    re.compile(rf"\s*\([IiEe]n {_LANGUAGE_NAME}\)\s*$"),
    # The marker after a comma inside the parenthesis: the rest of it stays.
    re.compile(rf"\s*,\s*{_LANGUAGE_NAME} Edition(?P<close>\))\s*$"),
    re.compile(rf"\s*,\s*{_LANGUAGE_NAME} Edition\s*$"),
    # A translation as Douban names it, `Programming C# (中文版)`: "the Chinese edition".
    re.compile(r"\s*[(（](?:简体|繁體|繁体)?(?P<language>[中英日韩韓德法俄]文)版[)）]\s*$"),
)
# Where a subtitle starts: `Title: Subtitle`, `Title; or, Other`, `Title - Subtitle` (a spaced
# hyphen or dash; "Spider-Man" is one word), and the comma before an alternative title (`The
# Hobbit, or There and Back Again`), whose `or` stays with it as after `;` or `:`.
_SUBTITLE_SEPARATOR = re.compile(
    r"\s*[:;]\s+|(?P<dash>\s+[-\u2013\u2014]\s+)|(?P<alternative>,\s+(?=[Oo]r,?\s+\S))"
)
# A spaced dash between two years or eras is a range, no subtitle's start: `A History of the
# Classical Greek World, 478 - 323 BC`, `A History of Babylon, 2200 BC - AD 75`, `… Project
# 2014 - 2016`.
_RANGE_START = re.compile(r"(?:\d|\b(?:BCE?|AD|CE))$")
_RANGE_END = re.compile(r"^(?:\d+(?!\w)|(?:BCE?|AD|CE)\b)")
# A series marker a catalog wrote before a spaced dash, not the title: a number (`1 - A Wizard
# In Mind`, `#3 - …`, an episode's `Ep.#1.9 - "Resistance"`), or a short abbreviation of
# capitals before a title that has its own subtitle (`NJO - Enemy Lines 2: Rebel Stand`, the New
# Jedi Order). A year is a title's (`2001 - A Space Odyssey`), and so are capitals before a
# plain subtitle (`SPQR - A History of Ancient Rome`, `FDR - A Biography`).
_SERIES_MARKER = re.compile(
    r"^(?:Ep\.\s*)?(?:#\s*)?(?:(?P<number>\d{1,3}(?:\.\d+)?)|(?P<letters>[A-Z]{2,4}))"
    r"\s+[-\u2013\u2014]\s+"
    r"(?P<rest>\S.*)$"
)
# A comic's issue as Goodreads titles it, its series' name and the issue's number and nothing
# else (`Providence #1`, `Black Panther #1`), or an omnibus's numbers (`Ethan Galaal #1-3`): a
# name with a letter, no colon or parenthesis.
_ISSUE_TITLE = re.compile(
    r"^(?P<name>[^#():;]*?[^\W\d_][^#():;]*?)\s+#(?P<number>\d{1,4}(?:-\d{1,4})?)$"
)
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def split_trailing_parenthesis(text: str) -> tuple[str, str] | None:
    """`Jane Doe (Editor)` -> ("Jane Doe", "Editor"): the text before its last parenthesis and
    what that parenthesis holds; None when the text does not end with one."""
    match = _TRAILING_PARENTHESIS.search(text)
    return (text[: match.start()].strip(), match["inside"]) if match else None


def split_series_entries(title: str) -> tuple[str, list[tuple[str, str]]]:
    """`Title (Series, #2; Other, #5)` -> ("Title", [("Series", "2"), ("Other", "5")]).

    A trailing parenthesis is a list of series (`;`-separated) when one of them has a number
    (`#2`, or a name then `Book 9`, `Volume 2`, `Vol. 2`, `Novel 5`, `Part 1`), or each of them
    is named a series (Series, Collection, Library, Classics, ...:
    a publisher's series such as "Penguin Classics"). Anything else, such as "(Unabridged)"
    or "(Ten Moments That Shaped)", is part of the title and comes back with no series.

    Two catalogs' series may follow each other, each in its parenthesis: `(Power Japanese
    Series) (Kodansha's Children's Classics)` is two series, a numbered one first; a last one
    that only repeats the name before it in other words (`(Learn to Play Go, Volume II) (Learn
    to Play Go Ser)`, `(The Baby-sitters Club Graphic Novel #9) (The Baby-Sitters Club
    Graphix)`) is that series again, and goes.
    """
    title = (title or "").strip()
    main, entries = _split_series_parenthesis(title)
    if not entries:
        last = split_trailing_parenthesis(title) if title.endswith(")") else None
        earlier, repeated = _split_series_parenthesis(last[0]) if last else (title, [])
        if not last or not repeated or not _repeats_series_name(last[1], repeated[0][0]):
            return title, []
        main, entries = earlier, repeated
    parentheses = 1
    while (before := _split_series_parenthesis(main))[1]:
        main, entries, parentheses = before[0], [*before[1], *entries], parentheses + 1
    if parentheses > 1:
        # A numbered series first: the one the book's number is in (sorted() keeps the order).
        entries.sort(key=lambda entry: not entry[1])
    return main, entries


def _split_series_parenthesis(title: str) -> tuple[str, list[tuple[str, str]]]:
    """The last parenthesis of a title read as a list of series (`split_series_entries`): (the
    text before it, its series), or (title, []) when it is none. The title is stripped."""
    match = _TRAILING_PARENTHESIS.search(title) if title.endswith(")") else None
    if not match or match.start() == 0:
        return title, []
    parts = [(part.strip(), _numbered(part.strip())) for part in match["inside"].split(";")]
    if any(not part or ("#" in part and not numbered) for part, numbered in parts):
        return title, []
    if not any(numbered for _part, numbered in parts) and not all(
        _names_a_series(part) for part, _numbered in parts
    ):
        return title, []
    entries = [numbered or _japanese_numbered(part) for part, numbered in parts]
    return title[: match.start()].strip(), entries


def _japanese_numbered(part: str) -> tuple[str, str]:
    """A series without a number, or a Japanese publisher's series with its number after a
    space (`ハヤカワ文庫 SF 543` -> ("ハヤカワ文庫 SF", "543"))."""
    numbered = _JAPANESE_SERIES_NUMBER.match(part) if not part.isascii() else None
    if numbered and _JAPANESE_SERIES_WORDS.search(numbered["name"]):
        return numbered["name"], numbered["number"]
    return part, ""


def _repeats_series_name(parenthesis: str, series: str) -> bool:
    """True when a parenthesis starts with the first words of a series' name, at least two
    past an article: `(Learn to Play Go Ser)` after `Learn to Play Go`."""
    words, named = normalize_text(parenthesis).split(), normalize_text(series).split()
    shared = 0
    for word, other in zip(words, named, strict=False):
        if word != other:
            break
        shared += 1
    articles = 1 if named and _ARTICLE_WORD.match(named[0]) else 0
    return shared - articles >= 2


def _numbered(part: str) -> tuple[str, str] | None:
    """A series with its number, `Name, #2`, `Name Book 2`, `Name, Volume II` (-> "2") or
    `Name, 2`, and a book in several of its places with its first (`Name, #0.5, #1.5` ->
    "0.5": series_numbers_left_out names the others); None for anything else."""
    if _numbers_several(part) and (several := _SEVERAL_NUMBERS.match(part)):
        return several["name"].strip(), _series_number(several["first"])
    if numbered := _NUMBERED_SERIES.match(part):
        number = numbered["number"].strip()
        return numbered["name"].strip(), f"0{number}" if number.startswith(".") else number
    if worded := _WORDED_NUMBER.match(part):
        number = worded["number"] or str(roman_to_int(worded["roman"]))
        return worded["name"].strip(), number
    comma = _COMMA_NUMBER.match(part)
    if comma and not _BARE_VOLUME.match(comma["name"]) and not _YEAR.match(comma["number"]):
        return comma["name"].strip(), comma["number"]
    return None


def _numbers_several(text: str) -> bool:
    """A cheap guard before _SEVERAL_NUMBERS: two `#`, or one and a bare number (`#0.5, 2.5`)."""
    hashes = text.count("#")
    return hashes > 1 or (hashes == 1 and bool(_ANOTHER_BARE.match(text.rpartition("#")[2])))


def _series_number(written: str) -> str:
    """`#2` -> "2", `# .5` -> "0.5", `#1 - 3` -> "1-3": a number after its `#` as stored."""
    number = re.sub(r"\s+", "", written.lstrip("#"))
    return f"0{number}" if number.startswith(".") else number


def series_numbers_left_out(title: str) -> list[tuple[str, str, list[str]]]:
    """The series a title numbers the book in several times (`Title (Stín Krkavce, #0.5, #0.7,
    #1.5, #3.5)`), each as (name, the number kept, the numbers left out: ["0.7", "1.5",
    "3.5"]), for the import to say what its series entry could not hold."""
    found: list[tuple[str, str, list[str]]] = []
    if "#" not in (title or "") or not _numbers_several(title):  # nearly every title
        return found
    for inside in re.findall(r"\(([^()]*)\)", title):
        for part in inside.split(";"):
            if several := _SEVERAL_NUMBERS.match(part.strip()):
                numbers = re.findall(_BARE_NUMBER, several["others"])
                others = [_series_number(number) for number in numbers]
                found.append((several["name"].strip(), _series_number(several["first"]), others))
    return found


def roman_to_int(numeral: str) -> int:
    """`XIV` -> 14: a numeral ROMAN_NUMERAL accepted (a smaller value before a larger
    subtracts)."""
    values = [_ROMAN_VALUES[letter] for letter in numeral]
    return sum(-v if v < after else v for v, after in zip(values, [*values[1:], 0], strict=True))


def _names_a_series(part: str) -> bool:
    if not part.isascii() and _JAPANESE_SERIES_WORDS.search(part):
        return True
    words = normalize_text(part)
    if not _SERIES_WORDS.search(words) or _EDITION_WORDS.search(words):
        return False
    # A series word with no name (`(Collection)`, `(The Complete Collection)`, `(Boxed Set
    # Collection)`) says what kind of book it is, as `(Boxed Set)` does: no series' name.
    return not set(_SERIES_WORDS.sub(" ", words).split()) <= _FORMAT_NOTE_WORDS


def issue_series(title: str) -> tuple[str, str] | None:
    """`Providence #1` -> ("Providence", "1"), `Ethan Galaal #1-3` -> ("Ethan Galaal", "1-3"):
    the series and number of a title that is a comic's issue or an omnibus (_ISSUE_TITLE), which
    keeps its whole title (each issue would otherwise have one); None for any other title."""
    if "#" not in title:  # nearly every title, at C speed
        return None
    issue = _ISSUE_TITLE.match(title)
    return (issue["name"].strip(), issue["number"]) if issue else None


def split_series(title: str) -> tuple[str, str, str]:
    """`Title (Series, #2)` -> ("Title", "Series", "2"): the primary (first) series only."""
    main, entries = split_series_entries(title)
    name, number = entries[0] if entries else ("", "")
    return main, name, number


def split_language_edition(title: str) -> tuple[str, str]:
    """`La cuarta mirada (Spanish Edition)` -> ("La cuarta mirada", "es"), and the other shapes
    of _LANGUAGE_EDITIONS; a title without such a suffix comes back whole with ""."""
    title = title or ""
    if not title.rstrip().endswith((")", "）", "Edition")):  # nearly every title, at C speed
        return title, ""
    for shape in _LANGUAGE_EDITIONS:
        match = shape.search(title)
        if not match or match.start() == 0:
            continue
        language = LANGUAGES.get(match["language"].casefold(), "")
        second = match.groupdict().get("second")
        if not language or (second and second.casefold() not in LANGUAGES):
            continue
        if not match.groupdict().get("close"):
            return title[: match.start()], language
        # Inside a parenthesis (`(Getting to Know Hamas, Hebrew Edition)`): the rest stays.
        opening = title.rfind("(", 0, match.start())
        if opening >= 0 and title[opening + 1 : match.start()].strip():
            return title[: match.start()] + ")", language
    if ") (" in title:
        # Before a series another catalog added: `Souris Et Des Hommes (French Edition)
        # (Collection Folio)`; the series stays, for the series reader.
        main, entries = _split_series_parenthesis(title.strip())
        before, language = split_language_edition(main) if entries else (main, "")
        if language:
            return before + title.strip()[len(main) :], language
    return title, ""


def split_subtitle(title: str) -> tuple[str, str]:
    """`Title: Subtitle` or `Title - Subtitle` -> ("Title", "Subtitle"); else (title, "").
    An alternative title is the subtitle however it is joined, its `or` kept: `Moby-Dick; or,
    The Whale`, `The Hobbit: or There and Back Again` and `The Hobbit, or There and Back Again`
    -> ("The Hobbit", "or There and Back Again"). A comma's `or` in a list (`Red, White, or
    Blue`) or a question (`Tea, or Coffee?`) is no alternative title, nor is a dash between two
    years or eras a subtitle's start (`…, 478 - 323 BC`: a range), nor a number alone after it
    (`Hokuto No Ken: 15`: the volume's title, whole).

    The first separator outside parentheses counts: `Title (A; B)` has no subtitle."""
    title = (title or "").strip()
    for separator in _SUBTITLE_SEPARATOR.finditer(title):
        main, rest = title[: separator.start()].strip(), title[separator.end() :].strip()
        if separator["alternative"] and ("," in main or title.endswith("?")):
            continue
        if separator["dash"] and _RANGE_START.search(main) and _RANGE_END.match(rest):
            continue
        if _ONLY_A_NUMBER.match(rest):
            continue  # `Hokuto No Ken: 15`, `HBR Classics Collection - 1`: a volume's title
        if main.count("(") == main.count(")"):
            return (main, rest) if main and rest else (title, "")
    return title, ""


def split_series_marker(title: str) -> tuple[str, str]:
    """`1 - A Wizard In Mind` -> ("1", "A Wizard In Mind"); `NJO - Enemy Lines 2: Rebel Stand`
    -> ("NJO", "Enemy Lines 2: Rebel Stand"); any other title -> ("", title), among them
    capitals the title names again (`GDPR - Fix it Fast: Apply GDPR to Your Company`). Read
    where a row's title is split (the import), never in `normalize_title`: stored titles keep
    their keys."""
    match = _SERIES_MARKER.match(title or "")
    if not match or (match["letters"] and not split_subtitle(match["rest"])[1]):
        return "", title
    # Capitals the title names again are its subject, not a series (`GDPR - Fix it Fast: Apply
    # GDPR to Your Company`): a series' abbreviation stands before its title only.
    if match["letters"] and match["letters"] in match["rest"].split():
        return "", title
    return match[0][: match.start("rest")].strip(" -\u2013\u2014"), match["rest"]


def normalize_text(text: str) -> str:
    """Case-folded, accent-free, punctuation-free, single-spaced."""
    text = text or ""
    if not text.isascii():  # NFKC leaves ASCII as it is
        text = strip_accents(unicodedata.normalize("NFKC", text))
    text = text.casefold()
    text = text.replace("&", " and ")
    text = _NON_WORD.sub(" ", text.replace("'", "").replace("\u2019", ""))
    return _SPACES.sub(" ", text).strip()


# An article a catalog moved to the end so that titles sort by their first word: `Amber
# Spyglass, The`, `Wrinkle in Time, A`, `Maldição Dos Kennedy, A`, `Monde selon Garp (le)`.
# The articles as a regular expression both databases read too (catalog migration 0024).
ARTICLES = (
    r"the|an?|l[ae]s?|l'|der|die|das|el|los|las|il|lo|gli|de|het|een|os?|as|une?|una|uno|eine?"
)
_ARTICLE_WORD = re.compile(rf"^(?:{ARTICLES})$", re.IGNORECASE)
_TRAILING_ARTICLE = re.compile(
    rf"^(?P<rest>.*\S)(?:,\s*(?P<article>{ARTICLES})|\s*\((?P<bracketed>{ARTICLES})\))$",
    re.IGNORECASE,
)


def front_article(title: str) -> str:
    """`Amber Spyglass, The` -> `The Amber Spyglass`: a trailing article put back in front, so
    that both spellings of a title have one lookup key. Other titles come back unchanged."""
    if "," not in title and "(" not in title:  # nearly every title, at C speed
        return title
    moved = _TRAILING_ARTICLE.match(title.strip())
    if not moved:
        return title
    article = moved["article"] or moved["bracketed"]
    joiner = "" if article.endswith("'") else " "
    return f"{article}{joiner}{moved['rest']}"


def normalize_whole_title(title: str, subtitle: str) -> str:
    """A title and its subtitle as one key, the article in front (`front_article`): two books
    whose titles agree and subtitles differ have two keys."""
    return normalize_text(f"{front_article(title)} {subtitle}")


# An import asks for the same keys several times per row (lookup, matching, the new work).
@functools.lru_cache(maxsize=8192)
def normalize_title(title: str) -> str:
    """The lookup key for a title: no language-edition suffix (`split_language_edition`), series
    suffix, subtitle, punctuation or case, and a trailing article in front (`front_article`)."""
    main, _series = split_series_entries(split_language_edition(strip_listing_suffix(title))[0])
    return normalize_text(front_article(split_subtitle(main)[0]))


#: Words after a name that say which of a family's people of one name it is, each with the
#: generation it names (its synonyms name the same one): `King, Jr.` is one person, not Jr. King,
#: and Dumas père and Dumas fils are two. Only words no surname is: not Senior (Olive Senior),
#: Elder (Lonne Elder III) nor Le Jeune (Claude Le Jeune) alone.
NAME_GENERATIONS = {
    **dict.fromkeys(("jr", "fils", "the younger", "der jungere", "il giovane"), "jr"),
    **dict.fromkeys(("sr", "pere", "the elder", "der altere", "il vecchio"), "sr"),
    **{numeral: numeral for numeral in ("ii", "iii", "iv")},
}


def name_generation(words: str) -> str:
    """`Jr.`, `fils`, `the Elder`, `III` -> the generation they name (NAME_GENERATIONS: "jr",
    "sr", "iii"); "" for any other words."""
    return NAME_GENERATIONS.get(normalize_text(words), "")


def is_name_suffix(word: str) -> bool:
    """`Jr.`, `jr`, `père`, `III`: a generation's word (NAME_GENERATIONS), with or without a dot."""
    return bool(name_generation(word))


def sort_name_fits(sort_name: str, name: str) -> bool:
    """Whether a sort name is written for this name: each of its words is one of the name's,
    as written (`Le Guin, Ursula K.` and `Lockridge, Ross` for `Ross Lockridge Jr.`), never a
    transliteration (`Лукьяненко, Сергей` is not `Sergei Lukyanenko`'s) nor another spelling."""
    words = normalize_text(sort_name).split()
    return bool(words) and set(words) <= set(normalize_text(name).split())


# Chinese, Japanese and Korean script as the key holds it (Hangul decomposed to its jamo by
# strip_accents): a name in it is written with or without a space between its parts
# (`司馬 遼太郎` and `司馬遼太郎`; `矢野 徹` and `矢野徹` in one Goodreads export), or a `・`.
_UNSPACED_NAME_CHAR = (
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
_SPACE_IN_UNSPACED_NAME = re.compile(rf"(?<={_UNSPACED_NAME_CHAR}) (?={_UNSPACED_NAME_CHAR})")


@functools.lru_cache(maxsize=8192)
def normalize_person_name(name: str) -> str:
    """The lookup key for a person: `Last, First` turned around (sort_name_turned_around),
    initials spaced, no case, no title of honour before a name of two words or more
    (catalog.name_order.HONOURS: `Sir Arthur Conan Doyle` is `Arthur Conan Doyle`), and no
    space between two characters of Chinese, Japanese or Korean script (`司馬 遼太郎` and
    `司馬遼太郎` are one key)."""
    name = (name or "").strip()
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if first and not is_name_suffix(first):
            name = sort_name_turned_around(last, first)
    name = re.sub(r"\.(?=\S)", ". ", name)  # "J.K." -> "J. K."
    key = normalize_text(name)
    honour, _space, rest = key.partition(" ")
    if honour in HONOURS and " " in rest:  # `Sir Arthur Conan Doyle`; `Lady Gregory` stays
        key = rest
    return key if key.isascii() else _SPACE_IN_UNSPACED_NAME.sub("", key)
