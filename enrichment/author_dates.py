"""The year of a person's birth or death, read as each shape of source writes it. Pure.

One rule per shape, so that a sign means one thing in each:

- a library heading's dates after the name's last comma (`Martorell, Joanot, -1468`):
  catalog.person_names.split_life_dates. Its dates are a span, so a bare "-1468" is the span's
  open start: died 1468.
- a date field's free text (Open Library's `birth_date` / `death_date`: "25 June 1903", "384
  BC"): life_date, here. A date field holds one date, never a span, so a minus before a year is
  its sign: "-384" is 384 BC, as data writes it (Plato's "-428").
- Wikidata's time value with its precision: wikidata_authors.wikidata_time. XSD 1.1, where 1
  BCE is year 0: "-0383" is 384 BC.

A date may say its year is a guess ("c. 1200", "1850?", Wikidata's "circa"): the year is kept
and said to be approximate (AuthorCandidate.birth_year_approximate), is never proposed without
the date that says so (author_proposal), and is compared with another year as a guess
(years_conflict).
"""

import re
from typing import Any, NamedTuple

from catalog import person_names
from catalog.life_years import date_says_approximate

# "fl. 1200", "flourished 1200", a heading's "active 317-322": no birth date; "1980s" no year.
_FLOURISHED = re.compile(r"\b(?:fl|flourished|active)\b", re.IGNORECASE)
# A year of the Hijri calendar ("1231 A.H." is 1815-16): not a year of ours.
_OTHER_CALENDAR = re.compile(r"hijr|\d\s*A\.?\s?H\b", re.IGNORECASE)
_BEFORE_OUR_ERA = r"B\.?\s?C\.?(?:E\.?)?(?![A-Za-z])"  # BC, B.C., BCE
_OUR_ERA = r"(?:A\.?\s?D|C\.?E)\b"  # AD, A.D., CE
# A year its era marks, however short ("43 B.C.", "621? BCE"), else one of 3 or 4 digits (not
# part of a longer number); group 2 holds "BC" when the year is before the common era.
_LIFE_YEAR = re.compile(
    rf"(?<!\d)(?:(\d{{1,4}})\b\??\s*(?:({_BEFORE_OUR_ERA})|{_OUR_ERA})|(\d{{3,4}})\b)",
    re.IGNORECASE,
)
# A signed year, the field's whole value (Plato's "-428", "-0384", "−384" with a minus sign, an
# ISO date's "-0384-05-01", "c. -384"): before the common era. Not "1802-1870": the sign begins
# the value.
_SIGNED_YEAR = re.compile(
    r"^(?:(?:c|ca|circa)\.?\s*)?[-\u2212]\s?(\d{1,4})(?:-\d\d(?:-\d\d)?)?\??$", re.IGNORECASE
)
_LATEST_LIFE_YEAR = 2100
#: How far a guessed year ("c. 1200") may be from another source's year of the same event and
#: still be one person's: "circa" is commonly within a decade. Exact years: YEAR_TOLERANCE.
APPROXIMATE_YEAR_TOLERANCE = 10


class LifeDate(NamedTuple):
    """A birth or death date's year (negative before the common era), and whether the date says
    the year is a guess ("c. 1200"): the year is kept, said to be approximate."""

    year: int | None
    approximate: bool = False


def life_date(value: Any) -> LifeDate:
    """The year of a birth or death date as a date field writes it ("13 September 1916", "18 Sep
    1830", "12/2010", "384 BC" -> -384, "43 B.C.", "621? BCE", "-384" -> -384: a date field
    holds one date, so its minus is the year's sign), approximate when the date says so ("c.
    1850", "ca. 1200", "circa 1200", "1850?", "1761 or 2"); no year ("fl. 1200", "active
    1200", "1980s", "12th century", "1231 A.H.": none to trust)."""
    raw = str(value).strip() if isinstance(value, str | int) else ""  # a number is a year too
    if not raw or _FLOURISHED.search(raw) or _OTHER_CALENDAR.search(raw):
        return LifeDate(None)
    approximate = date_says_approximate(raw)
    signed = _SIGNED_YEAR.match(raw)
    if signed is not None:
        return LifeDate(-int(signed.group(1)) or None, approximate)
    match = _LIFE_YEAR.search(raw)
    if match is None:
        return LifeDate(None)
    year = int(match.group(1) or match.group(3))
    if year == 0 or year > _LATEST_LIFE_YEAR:
        return LifeDate(None)
    return LifeDate(-year if match.group(2) else year, approximate)


def years_conflict(ours: int | None, theirs: int | None, *, approximate: bool = False) -> bool:
    """Two years of one event (a birth, a death) too far apart for one person: the catalog's
    rule (catalog.person_names.years_conflict), or, when either is a guess, further apart than
    APPROXIMATE_YEAR_TOLERANCE ("c. 1200" and 1205 may be one person's birth)."""
    if not approximate:
        return person_names.years_conflict(ours, theirs)
    return (
        ours is not None and theirs is not None and abs(ours - theirs) > APPROXIMATE_YEAR_TOLERANCE
    )


def died_before_born(born: int | None, died: int | None, *, approximate: bool = False) -> bool:
    """A death year (one side's) before a birth year (the other side's) of what should be one
    person, by more than the years of one event may differ (years_conflict: one, ten for a
    guess): two people's years. Our author born 1900 and a record of the name whose person
    died in 1870 (a namesake, whose death date would be applied to a living author)."""
    if born is None or died is None:
        return False
    return died < born and years_conflict(born, died, approximate=approximate)


def held_life_years(
    name: str,
    birth_year: int | None,
    death_year: int | None,
    birth_date: str = "",
    death_date: str = "",
) -> tuple[LifeDate, LifeDate]:
    """An author's birth and death years as we hold them, each said to be a guess when its date
    says so ("c. 1200"): the year fields; else the year of the date as written (a date typed
    without its year field: "c. 1200"); else a heading's years in the name (catalog.person_names
    .split_life_dates: `Dumas, Alexandre, 1824-1895`)."""
    born, died = life_date(birth_date), life_date(death_date)
    birth_year = birth_year if birth_year is not None else born.year
    death_year = death_year if death_year is not None else died.year
    if birth_year is None and death_year is None:
        return _heading_life_years(name)
    return LifeDate(birth_year, born.approximate), LifeDate(death_year, died.approximate)


def _heading_life_years(name: str) -> tuple[LifeDate, LifeDate]:
    """The years of a name stored as a library heading (catalog.person_names.split_life_dates),
    each a guess when its end of the span says so ("Sturluson, Snorri, ca. 1179-1241",
    "1100?-1154")."""
    heading = person_names.split_life_dates(name)
    return (
        LifeDate(heading.birth_year, heading.birth_guessed),
        LifeDate(heading.death_year, heading.death_guessed),
    )
