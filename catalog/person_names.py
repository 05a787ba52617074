"""A library heading's life dates, when two people's years say they are two people, and when
two names are one person's written two ways.

Library catalogs write a person's name as a heading: `Dumas, Alexandre, 1802-1870`, `King,
Stephen, 1947-`, `Martorell, Joanot, -1468`, `Woolf, Virginia, 1882-1941.`, `Smith, Zadie,
b. 1975`, `Gan, Bao, active 317-322`, `Aesop, 621? BCE-565? BCE`. The dates are no part of the
name: they are the person's birth and death years, which tell two people of one name apart
(Alexandre Dumas, 1802-1870, and his son, 1824-1895).
"""

import functools
import re
from dataclasses import dataclass

from catalog.name_order import (
    SURNAME_PARTICLES,
    TITLE_RANKS,
    is_byname,
    is_degree,
    is_degree_after_given_names,
    is_honour,
    is_organisation_word,
    sort_name_turned_around,
)
from catalog.text import is_name_suffix, normalize_person_name
from catalog.transliteration import transliterate_to_latin

#: Years further apart than this are two people (one year absorbs calendar and cataloguing).
YEAR_TOLERANCE = 1

_YEAR = r"\d{1,4}\??"
_ERA = r"(?:\s*(?P<era{n}>BCE|B\.\s?C\.?|BC|CE|A\.\s?D\.?|AD))?"
# A word that says the year after it is a guess (`ca. 1200-`; `1814?` says so after it).
_ABOUT = r"(?:(?P<about{n}>ca\.?|circa|approximately|c\.)\s*)?"
# The dates after a heading's last comma: a span (either end may be unknown), or one year
# after a word that says which (born, died, flourished), or a century someone was active in.
_LIFE_DATES = re.compile(
    rf"""^(?:
        (?P<span>{_ABOUT.format(n=1)}(?P<birth>{_YEAR}){_ERA.format(n=1)}?\s*[-\u2013]\s*
                 (?:{_ABOUT.format(n=2)}(?P<death>{_YEAR}){_ERA.format(n=2)})?)
      | (?P<death_only>[-\u2013]\s*{_ABOUT.format(n=3)}(?P<died>{_YEAR}){_ERA.format(n=3)})
      | (?:(?P<word>b|born|d|died|fl|flourished|active)\.?\s+
           {_ABOUT.format(n=4)}(?P<year>{_YEAR}){_ERA.format(n=4)}(?:\s*[-\u2013]\s*{_YEAR}{_ERA.format(n=5)})?)
      | (?:(?:active|fl\.?|flourished)\s+)?\d{{1,2}}(?:st|nd|rd|th)\s+cent(?:ury|\.)
        {_ERA.format(n=6)}
    )\.?$""",
    re.IGNORECASE | re.VERBOSE,
)
_BIRTH_WORDS = frozenset({"b", "born"})
_DEATH_WORDS = frozenset({"d", "died"})


@dataclass(frozen=True, slots=True)
class LifeDates:
    """A heading split: the name without its dates, and the years they give (None when the
    dates give none: a flourishing, a century, a year before the common era)."""

    name: str
    birth_year: int | None = None
    death_year: int | None = None
    dated: bool = False  # the heading carried dates (even ones that give no year)
    # The heading says the year is a guess (`ca. 1200-`, `1814?-`, `b. circa 1975`).
    birth_guessed: bool = False
    death_guessed: bool = False

    @property
    def exact_years(self) -> tuple[int | None, int | None]:
        """The (birth, death) years the catalog stores: an author's year is exact (one year
        apart is two people) and the import keeps no date to say a year is a guess, so a
        guessed one is none (enrichment reads the guess as one: author_dates.held_life_years)."""
        return (
            None if self.birth_guessed else self.birth_year,
            None if self.death_guessed else self.death_year,
        )


def _year(value: str | None, era: str | None) -> int | None:
    """A year of the common era as the catalog stores it; none before it (the catalog's years
    are AD, and a BCE year read as one would be a wrong person's)."""
    if not value or (era and era.casefold().replace(" ", "").startswith("b")):
        return None
    return int(value.rstrip("?")) or None


def _guessed(value: str | None, era: str | None, about: str | None) -> bool:
    """Whether the heading says its year is a guess: a word before it, a `?` after it (none
    for a year it gives none of: `621? BCE`)."""
    if not value or _year(value, era) is None:
        return False
    return bool(about) or value.endswith("?")


def split_life_dates(heading: str) -> LifeDates:
    """`Dumas, Alexandre, 1802-1870` -> `Dumas, Alexandre`, 1802, 1870; `King, Stephen,
    1947-` -> born 1947; `Martorell, Joanot, -1468` -> died 1468; `Smith, Zadie, b. 1975`;
    `Gan, Bao, active 317-322` and `Aesop, 621? BCE-565? BCE` lose their dates and give no
    year. Only what follows the heading's last comma, after a name, is read: a name that ends
    with a number (`Maroon 5`, `Blink-182`, `Jacob 2-2`) or a bare year (`Lonely Planet, 2019`:
    an edition's, not a life's) is left as written."""
    name, comma, last = heading.strip().rpartition(",")
    match = _LIFE_DATES.match(last.strip()) if comma else None
    name = name.strip()
    if match is None or not any(ch.isalpha() for ch in name):
        return LifeDates(heading.strip())
    if match["span"]:
        birth, death = match["birth"], match["death"]
        return LifeDates(
            name,
            _year(birth, match["era1"]),
            _year(death, match["era2"]),
            True,
            birth_guessed=_guessed(birth, match["era1"], match["about1"]),
            death_guessed=_guessed(death, match["era2"], match["about2"]),
        )
    if match["death_only"]:
        died = match["died"]
        return LifeDates(
            name,
            None,
            _year(died, match["era3"]),
            True,
            death_guessed=_guessed(died, match["era3"], match["about3"]),
        )
    word = (match["word"] or "").casefold()
    year = _year(match["year"], match["era4"])
    guessed = _guessed(match["year"], match["era4"], match["about4"])
    born, died = word in _BIRTH_WORDS, word in _DEATH_WORDS
    return LifeDates(
        name,
        year if born else None,
        year if died else None,
        True,
        birth_guessed=born and guessed,
        death_guessed=died and guessed,
    )


# A comma that parts a heading, not one inside its brackets: a meeting's place in its
# qualifier (`International Conference on … (4th 1998 Interlaken, Switzerland)`) is no given name.
_COMMA_OUTSIDE_BRACKETS = re.compile(r",(?![^()\[\]]*[)\]])")


def heading_segments(name: str) -> list[str]:
    """A heading's parts between its commas (`Dumas`, `Alexandre`), a comma inside its brackets
    kept in its part: `International Conference on … (4th 1998 Interlaken, Switzerland)` is one
    part, a meeting's name and qualifier, with no given name to turn around."""
    if "(" not in name and "[" not in name:
        return [segment.strip() for segment in name.split(",")]
    return [segment.strip() for segment in _COMMA_OUTSIDE_BRACKETS.split(name)]


_INITIAL = re.compile(r"^(?:\w\.)+$")


def is_sort_name(last: str, first: str) -> bool:
    """Whether `Last, First` is one person's name sorted by the surname (`Le Guin, Ursula K.`,
    `García Márquez, Gabriel`, `Martin Luther King, Jr.`), not two whole names a comma lists
    (`Jesse Tilly, Eric M. Burke`): a one-word surname or given name, a surname that begins with
    a particle, or given names (at most three words) that end with an initial."""
    first_words, last_words = first.split(), last.split()
    if is_name_suffix(first):
        return True  # `Martin Luther King, Jr.`
    if len(first_words) > 3 or not first_words or not last_words:
        return False
    return (
        len(last_words) == 1
        or len(first_words) == 1
        or last_words[0].casefold() in SURNAME_PARTICLES
        # Given names end with their initial (`Le Guin, Ursula K.`); a surname after it ends a
        # whole name (`Jesse Tilly, Eric M. Burke` is two people).
        or bool(_INITIAL.match(first_words[-1]))
    )


# A heading's fuller form of the given names: `T. S. (Thomas Stearns)`, `H. Rider (Henry
# Rider)`; the name is written with what stands before it.
FULLER_FORM = re.compile(r"^(?P<initials>[^()]+?)\s*\([^()]*\)$")
# `Smith, Elder & Co.`, `Farrar, Straus and Giroux`: a firm's partners, never given names.
_PARTNERS = re.compile(r"&|\band\b", re.IGNORECASE)


def is_organisation_heading(last: str, first: str) -> bool:
    """Whether `Last, First` is an organisation's name, never to be turned around as a
    person's: `Smith, Elder & Co.`, `Penguin Books, Ltd.`, `University of California, Berkeley`,
    `Aero-Metric Engineering, Inc.` (a word of a firm or a body, partners joined by `&` or
    `and`)."""
    return bool(_PARTNERS.search(f"{last} {first}")) or any(
        is_organisation_word(word.strip(",")) for word in f"{last} {first}".split()
    )


def is_organisation_turned_around(last: str, first: str) -> bool:
    """Whether an organisation's `Last, First` is its name turned at its last word, as
    Goodreads turns every name: `Inc., Apple`, `Health, Department of` (no name ends with
    `of`); `Smith, Elder & Co.` is the firm's name as written."""
    return is_organisation_word(last) or first.rpartition(" ")[2].islower()


def is_personal_heading(last: str, first: str) -> bool:
    """Whether `Last, First` is a person's name as a catalogue heading writes it (`Kiss, Lenke`,
    `Tolkien, J. R. R.`, `司馬, 遼太郎`), to be turned around, and not an organisation's
    (is_organisation_heading: `Smith, Elder & Co.`) nor two people a comma lists (`Neil Gaiman,
    Terry Pratchett`: is_sort_name)."""
    return is_sort_name(last, first) and not is_organisation_heading(last, first)


def peers_given_names(last: str, first: str, title: str) -> str:
    """A peer's given names without the title's name a library heading ends them with:
    `Lytton, Edward Bulwer Lytton, Baron` -> `Edward Bulwer` (Edward Bulwer Lytton), `Tennyson,
    Alfred Tennyson, Baron` -> `Alfred`, `Bryce, James Bryce, Viscount` -> `James`. Only before
    a title of honour or nobility (catalog.name_order.HONOURS, TITLE_RANKS): Edwin Abbott
    Abbott's heading, `Abbott, Edwin Abbott`, keeps his; other given names come back as
    written."""
    given = first.split()
    rank = title.split()[0].casefold() if title.split() else ""
    if len(given) > 1 and given[-1] == last and (is_honour(title) or rank in TITLE_RANKS):
        return " ".join(given[:-1])
    return first


def name_as_written(heading: str) -> str:
    """A name as sources write it in running text (and label the person): a heading's life
    dates dropped, `Last, First` turned around (catalog.name_order.sort_name_turned_around), a
    generation word kept last, a degree, a title of honour and the fuller form of initials
    dropped (`Nelson, Bob, Ph.D.` -> `Bob Nelson`; `Doyle, Arthur Conan, Sir, 1859-1930`,
    `Tolstoy, Leo, graf` (catalog.name_order.HONOURS); `Eliot,
    T. S. (Thomas Stearns), 1888-1965` -> `T. S. Eliot`), a title after a byname dropped, a
    title of rank kept after the name. `Dumas, Alexandre, 1802-1870`
    -> `Alexandre Dumas`; `King, Martin Luther, Jr.` -> `Martin Luther King Jr.`; `Chrétien, de
    Troyes, active 12th century` -> `Chrétien de Troyes`; `Francis, of Assisi, Saint` ->
    `Francis of Assisi`; `Charles, Prince of Wales, 1948-` -> `Charles, Prince of Wales`. A name
    without a comma, with more than a heading's (a list of people), with no given name after
    it (`Lonely Planet, 2019`) or that is no person's (is_personal_heading: `Smith, Elder &
    Co.`, `Neil Gaiman, Terry Pratchett`) is left as written, its dates aside."""
    name = split_life_dates(heading).name
    segments = heading_segments(name)
    if len(segments) == 3 and (is_degree(segments[2]) or is_honour(segments[2])):
        segments[1] = peers_given_names(*segments)
        segments.pop()
    suffix = segments.pop() if len(segments) == 3 and is_name_suffix(segments[2]) else ""
    if len(segments) == 3 and is_byname(segments[0], segments[1]):
        segments.pop()  # the heading's title after a byname (`Saint`, `Pope`): no label has it
    if len(segments) != 2 or not all(any(ch.isalpha() for ch in part) for part in segments):
        return name  # `Lonely Planet, 2019`: no given name to turn around
    last, first = segments[0], FULLER_FORM.sub(r"\g<initials>", segments[1])
    *given, after = first.split()
    if given and is_degree_after_given_names(after) and not _INITIAL.match(after):  # `RNDr.`
        first = " ".join(given)
    if is_name_suffix(first):  # `Dumas, père`
        return f"{last} {first}"
    if is_organisation_heading(last, first) and is_organisation_turned_around(last, first):
        return sort_name_turned_around(last, first)  # `Health, Department of`
    if not is_personal_heading(last, first):
        return name
    return " ".join(part for part in (sort_name_turned_around(last, first), suffix) if part)


def years_conflict(ours: int | None, theirs: int | None) -> bool:
    """Two years of one event (a birth, a death) too far apart for one person."""
    return ours is not None and theirs is not None and abs(ours - theirs) > YEAR_TOLERANCE


def life_years_conflict(
    ours: tuple[int | None, int | None], theirs: tuple[int | None, int | None]
) -> bool:
    """Whether two people's (birth, death) years say two people."""
    return any(years_conflict(a, b) for a, b in zip(ours, theirs, strict=True))


@functools.lru_cache(maxsize=4096)  # a file names its authors and translators again and again
def _name_words(name: str) -> tuple[str, ...]:
    return tuple(normalize_person_name(transliterate_to_latin(name)).split())


def _given_names_agree(one: str, other: str) -> bool:
    """`victoria` / `v`: one name, or its initial."""
    return (
        one == other
        or (len(one) == 1 and other[:1] == one)
        or (len(other) == 1 and one[:1] == other)
    )


def is_name_written_otherwise(name: str, other: str) -> bool:
    """Whether `other` is `name` written another way: in another script (`Κωστάκης Ανάν` /
    `Kostakis Anan`), given names as initials (`V.E. Schwab` / `Victoria Schwab`, `Z Brewer`),
    a middle name left out (`Dennis Taylor` / `Dennis E. Taylor`, `Михаил Афанасьевич Булгаков`
    / `Mikhail Bulgakov`). One surname, the first given names agreeing and the shorter's others
    among the longer's, in order: `Ola Rosling` is not `Hans Rosling`, nor `Christopher Tolkien`
    `J.R.R. Tolkien`, and a surname alone says too little. Spellings that differ (`Sergei` /
    `Sergey`) are not read as one."""
    last, other_last = name.rpartition(" ")[2], other.rpartition(" ")[2]
    if last != other_last and last.isascii() and other_last.isascii():
        return False  # nearly every two people: their last words differ, at C speed
    words, others = _name_words(name), _name_words(other)
    if len(words) < 2 or len(others) < 2 or words[-1] != others[-1]:
        return False
    shorter, longer = sorted((words[:-1], others[:-1]), key=len)
    if not _given_names_agree(shorter[0], longer[0]):
        return False
    rest = iter(longer[1:])
    return all(any(_given_names_agree(word, given) for given in rest) for word in shorter[1:])
