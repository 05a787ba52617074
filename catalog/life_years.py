"""A person's life years as every screen says them: "384 BC", "c. 1850", "384 BC–322 BC".

The years are stored as numbers, negative before the common era (Author.birth_year = -384);
whether a year is a guess is said by the date it came with (Author.birth_date = "c. 1850"), by
the rule here that reading a provider's date uses too (enrichment.author_dates.life_date).
"""

import re

from django.utils.translation import gettext

# Words and marks that say a year is a guess: "c. 1850", "ca. 1200", "circa 1200", "approx.
# 1200", "about 1200", "1850?", "[1850?]", "1761 or 2". A word only before a year, so the "C." of
# "B.C." is none.
_APPROXIMATE = re.compile(
    r"\b(?:c|ca|circa|approx|approximately|about|abt)\b\.?\s*(?=[-\u2212]?\d)|\d\s*\?|\d\s+or\s+\d",
    re.IGNORECASE,
)


def date_says_approximate(date: str) -> bool:
    """Whether a birth or death date, as written, says its year is a guess ("c. 1850")."""
    return bool(_APPROXIMATE.search(date or ""))


def year_text(year: int | None, *, approximate: bool = False) -> str:
    """ "384 BC" for -384, "c. 1850" for a guessed 1850, "1850"; "" for no year. Never "1,850"
    nor "-384": a year is no quantity, and a minus sign is how data writes an era."""
    if year is None:
        return ""
    shown = gettext("%(year)s BC") % {"year": -year} if year < 0 else str(year)
    return gettext("c. %(year)s") % {"year": shown} if approximate else shown


def author_year_text(author, which: str) -> str:
    """An author's birth or death year (`which`: "birth" or "death"), approximate when the
    author's date of it says so."""
    return year_text(
        getattr(author, f"{which}_year"),
        approximate=date_says_approximate(getattr(author, f"{which}_date", "")),
    )


def author_life_text(author) -> str:
    """ "384 BC–322 BC", "c. 1850–1910", "1929–" (alive, or no death year), "–1468"; "" when
    neither year is known."""
    born, died = author_year_text(author, "birth"), author_year_text(author, "death")
    if not born and not died:
        return ""
    return f"{born}–{died}"
