"""A series statement standing as a subtitle: "Book Six of the Elric Saga", "The Dune
Chronicles, Book 1", "A Jack Reacher Novel". Pure text rules, no database.

Publishers print the series on the title page under the title, and Google Books, Open Library
and ISBNdb file it as the book's subtitle. Read here as a series and the book's number in it;
anything that could be a subtitle ("A Novel", "A Graphic Novel", "Part One of Two") is none.
A name then its number is read by the importers' rule for a title's series parenthesis
(catalog.text.split_series_entries), so "Elric Saga, Book 6" means the same in a subtitle and
in `Stormbringer (Elric Saga, Book 6)`.
"""

import functools
import re

from catalog.text import ROMAN_NUMERAL, normalize_text, roman_to_int, split_series_entries

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}  # fmt: skip
_NUMBER = rf"(?P<number>\d+(?:\.\d+)?|{ROMAN_NUMERAL}|(?i:{'|'.join(NUMBER_WORDS)}))"
_VOLUME_WORD = r"(?i:book|volume|vol\.|novel|part|number|no\.)"
# "Book Six of the Elric Saga", "Book 2 in the Kingkiller Chronicle series": a lower-case
# "the" is the sentence's, a capital one the name's ("Book One of The Expanse").
_NUMBER_OF_SERIES = re.compile(
    rf"{_VOLUME_WORD}\s+{_NUMBER}\s+(?i:of|in)\s+(?:the\s+)?(?P<name>.*?[^\W\d_].*?)"
    r"(?:\s+series)?"
)
# "The Elric Saga, Book Six": a number in words after the name (figures and Roman numerals
# are the importers' rule's).
_SERIES_THEN_NUMBER_WORD = re.compile(
    rf"(?P<name>.*?[^\W\d_].*?),?\s+{_VOLUME_WORD}\s+(?P<number>(?i:{'|'.join(NUMBER_WORDS)}))"
)
# "A Jack Reacher Novel", "An Inspector Rebus Novel".
_NAMED_NOVEL = re.compile(r"An?\s+(?P<name>.+?)\s+Novel")
# What "A … Novel" says of a novel that is no series: its kind, its country, its form.
_KINDS_OF_NOVEL = frozenset({
    "adult", "adventure", "age", "american", "apocalyptic", "autobiographical", "british",
    "canadian", "childrens", "christian", "classic", "comedic", "comic", "coming",
    "contemporary", "cozy", "crime", "dark", "detective", "dystopian", "english", "epic",
    "epistolary", "erotic", "experimental", "fantasy", "fi", "fiction", "first", "french",
    "german", "gothic", "graphic", "great", "historical", "horror", "humorous", "illustrated",
    "inspirational", "irish", "italian", "jewish", "legal", "literary", "love", "medical",
    "military", "modern", "mystery", "new", "noir", "novel", "of", "paranormal",
    "philosophical", "picture", "political", "post", "psychological", "regency", "romance",
    "romantic", "russian", "satirical", "sci", "science", "short", "southern", "spy", "story",
    "supernatural", "suspense", "thriller", "true", "verse", "very", "victorian", "war",
    "western", "young",
})  # fmt: skip
# Praise on the cover is no series' name: "A New York Times Bestselling Novel", "A Booker
# Prize-Winning Novel".
_PRAISE = re.compile(r"(?i:best-?sell|award|prize|winn|acclaim|nominat|beloved|classic)")
# A name that is only a number or says only "a series" ("Book 2 of 3", "Book One of the
# Trilogy").
_NO_NAME = re.compile(
    rf"(?:\d+|{ROMAN_NUMERAL}|(?i:{'|'.join(NUMBER_WORDS)})"
    r"|(?i:series|saga|trilogy|duology|sequence|cycle|set|collection|chronicles))"
)
_NOT_IN_A_NAME = re.compile(r"[,;:()\[\]#]")


def _number(written: str) -> str:
    """ "Six" -> "6", "IV" -> "4", "2" -> "2"."""
    if written.isdigit() or "." in written:
        return written
    if written.casefold() in NUMBER_WORDS:
        return str(NUMBER_WORDS[written.casefold()])
    return str(roman_to_int(written))


def _names_a_kind(name: str) -> bool:
    """ "Graphic", "Science Fiction", "A Novel": what kind of book it is, no series' name."""
    words = normalize_text(name).split()
    if words[:1] in (["a"], ["an"]):
        words = words[1:]
    return all(word in _KINDS_OF_NOVEL for word in words)


def _is_a_name(name: str) -> bool:
    return (
        bool(name)
        and not _NOT_IN_A_NAME.search(name)
        and not _NO_NAME.fullmatch(name)
        and not name.startswith(("a ", "an "))  # "Book 2 of a trilogy"
        and not _names_a_kind(name)  # "A Novel, Book 1"
        and not _PRAISE.search(name)
    )


# Pure, and a batch's subtitles repeat (a publisher's series on each of its books).
@functools.lru_cache(maxsize=10_000)
def split_series_statement(subtitle: str) -> tuple[str, str] | None:
    """(series, number) of a subtitle that is a series statement, the number "" when it has
    none ("A Jack Reacher Novel" -> ("Jack Reacher", "")); None for any other subtitle."""
    statement = (subtitle or "").strip().rstrip(".").strip()
    if not statement:
        return None
    if match := _NUMBER_OF_SERIES.fullmatch(statement):
        name = match["name"].strip()
        return (name, _number(match["number"])) if _is_a_name(name) else None
    if match := _SERIES_THEN_NUMBER_WORD.fullmatch(statement):
        name = match["name"].strip()
        return (name, _number(match["number"])) if _is_a_name(name) else None
    if match := _NAMED_NOVEL.fullmatch(statement):
        name = match["name"].strip()
        capitalised = all(word[:1].isupper() for word in name.split() if len(word) > 3)
        return (name, "") if _is_a_name(name) and capitalised else None
    if not re.search(r"[;:()\[\]]", statement):
        # The importers' rule, for a name then its number: a numbered series only, said so by
        # a `#` or a word after the name ("Good to Great, 2" may be a subtitle).
        main, entries = split_series_entries(f"_ ({statement})")
        if main == "_" and len(entries) == 1 and entries[0][1] and _is_a_name(entries[0][0]):
            said = statement[len(entries[0][0]) :]
            if "#" in said or re.search(r"[^\W\d_]", said):
                return entries[0]
    return None
