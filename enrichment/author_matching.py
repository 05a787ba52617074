"""Matching an author we hold to a provider's author record: pure functions, no database.

The book matcher (enrichment.matching) decides whether a record is our *book*; this decides
whether an author record is our *person*, on the same 0–5 scale and the same tiers:

| tier   | criteria                                                       | meaning             |
|--------|----------------------------------------------------------------|---------------------|
| high   | an id of ours on the record (Open Library, Wikidata, Goodreads…) | may be applied      |
|        | or name >= 4 and one of our works (title or ISBN) among its works |                   |
| medium | name 3 (initials only, a surname alone) and a shared work      | needs review        |
| low    | a name alone (no shared work), a shared work under another name | needs review        |
| none   | neither the name nor a work agrees                             | skipped             |

A name alone is never enough: two people share a name more often than a name and a book.
Without an id match, ids of the same kind that differ cap the tier at low (the provider says
it is someone else), and so does a birth or death year that differs by more than one
(catalog.person_names.years_conflict, the catalog's rule for a heading's life years), or by more
than ten when either side's date says it is a guess, "c. 1200" (author_dates.years_conflict); an id
match whose names plainly disagree (both in Latin letters, nothing in common) is low too, as a
book's ISBN match is when its title disagrees.

Names are compared on one normal form (`person_name_key`): "Last, First" turned around,
library headings' life dates and roles dropped ("Dostoyevsky, Fyodor, 1821-1881"), accents
folded, Cyrillic and Greek transliterated (catalog.transliteration; against Cyrillic, Serbian's
Latin š, č, ž, đ read as the letters they write, "Kiš" as "Kish"), then scored
(`score_author_name`) tolerating initials, a middle name on one side only and the spelling
differences between romanisations ("Sergei" / "Sergey", "Dostoevsky" / "Dostojewski"), but
not a shared surname alone ("Ursula K. Le Guin" / "Charles Le Guin" score 1). Names that say
two generations of a family (catalog.text.NAME_GENERATIONS: "Alexandre Dumas père" / "Dumas,
Alexandre (fils)", Jr. / Sr., the Elder / the Younger, II / III) score 1 whatever else agrees,
over all of both people's names (`score_author_names`), and an id shared across them is
reviewed, never applied; a name that says no generation ("Alexandre Dumas") may be either.
A record its source says is no person (a Wikidata item of a pen name, a collective, a band, a
fictional character found by an id of ours) is low whatever else agrees.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from catalog import isbn as isbn_module
from catalog import text
from catalog.generic_titles import is_generic_title
from catalog.name_order import SURNAME_PARTICLES
from catalog.person_names import split_life_dates
from catalog.transliteration import is_transliterated, scripts_of, transliterate_to_latin
from enrichment.author_candidates import AUTHOR_ID_LABELS
from enrichment.author_dates import years_conflict
from enrichment.candidates import Candidate
from enrichment.matching import TIER_ORDER, TITLE_AGREES, BookQuery, Tier, score_title
from enrichment.providers.fields import author_id

#: The name scores at which a shared work makes a record high (NAME_AGREES) or medium.
NAME_AGREES = 4
NAME_CLOSE = 3
ID_AGREES = 5


@dataclass(frozen=True, slots=True)
class AuthorQuery:
    """What we know of the author being matched."""

    name: str
    alternative_names: tuple[str, ...] = ()
    work_titles: tuple[str, ...] = ()  # the titles of our works credited to them
    isbns: tuple[str, ...] = ()  # ISBN-10s or -13s of those works' editions
    birth_year: int | None = None
    death_year: int | None = None
    ids: Mapping[str, str] = field(default_factory=dict)  # AUTHOR_ID_LABELS' keys -> value
    # Our date says the year is a guess ("c. 1200": enrichment.author_dates.life_date).
    birth_year_approximate: bool = False
    death_year_approximate: bool = False


@dataclass(frozen=True, slots=True)
class AuthorRecordSummary:
    """One provider's author record, reduced to what matching reads."""

    provider: str
    name: str
    alternate_names: tuple[str, ...] = ()
    birth_year: int | None = None
    death_year: int | None = None
    work_titles: tuple[str, ...] = ()
    isbns: tuple[str, ...] = ()
    ids: Mapping[str, str] = field(default_factory=dict)  # AUTHOR_ID_LABELS' keys -> value
    not_a_person: str = ""  # what the source says it is instead: "pseudonym", "musical group"
    birth_year_approximate: bool = False  # the source's date says its year is a guess
    death_year_approximate: bool = False


@dataclass(slots=True)
class AuthorMatchScore:
    identifier: int  # 5: an id of ours is on the record
    name: int  # the best score_author_name over both sides' names
    works: int  # 5: one of our ISBNs is on the record; else the best title score
    tier: Tier
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "identifier": self.identifier,
            "name": self.name,
            "works": self.works,
            "tier": str(self.tier),
            "reasons": self.reasons,
        }


# --- names -------------------------------------------------------------------------------

# "(Translator)", "(1903-1950)", a heading's fuller form "Tolkien, J. R. R. (John Ronald
# Reuel)": not part of the name as written.
_PARENTHESIS = re.compile(r"\s*\([^()]*\)")
# A library heading's dates: "1821-1881", "1976-", "b. 1950", "1862-1946.", "fl. 1200".
_LIFE_DATES = re.compile(
    r"^(?:b\.?|born|d\.?|died|ca\.?|fl\.?)?\s*\d{1,4}\??\s*(?:[-\u2013]\s*(?:\d{1,4}\??)?)?\.?$",
    re.IGNORECASE,
)
# A heading's role after the name: "Parks, Tim, translator", "Rieff, David, editor".
_ROLES = frozenset(
    {"author", "translator", "editor", "illustrator", "compiler", "contributor", "narrator",
     "introduction", "foreword"}
)  # fmt: skip
# Abbreviated roles are also given names ("Catmull, Ed"): a role only when written with a
# period ("Rieff, David, ed.") or after the name's two parts ("Smith, John, ed").
_ROLE_ABBREVIATIONS = frozenset({"ed", "eds", "tr", "trans", "ill", "comp"})
# Titles before or after a name: "Ismail Ibrahim Dr.", "Němeček, Jan RNDr.", "Prince D. S.
# Mirsky".
_HONORIFICS = frozenset(
    {"dr", "rndr", "mudr", "phdr", "phd", "prof", "sir", "dame", "mr", "mrs", "ms", "mme",
     "prince", "princess", "rev"}
)  # fmt: skip
# Titles that are also surnames (Harold Prince, "Prince, Harold"): a title before the name or
# after it, the surname where a surname stands.
_HONORIFICS_ALSO_SURNAMES = frozenset({"prince", "princess"})
_VOWELS = frozenset("aeiouy")
# Words joining two people in one cell: "Аркадий и Борис Стругацкие", "Jacob und Wilhelm Grimm".
# Read before transliteration (и would be "i", an initial). Not Spanish "y" nor Portuguese "e":
# they join the two surnames of one person ("José Ortega y Gasset").
_CONJUNCTIONS = frozenset({"and", "&", "und", "et", "og", "och", "и", "і", "та"})


@dataclass(frozen=True, slots=True)
class _PersonName:
    key: str  # person_name_key
    given: tuple[str, ...]  # given names and initials, in order
    surname: str  # with its particles: "le guin"
    generation: str  # text.name_generation: "jr" (Jr., fils), "sr" (Sr., père), "ii"…


@functools.lru_cache(maxsize=8192)
def _parse(name: str) -> _PersonName:
    name = unicodedata.normalize("NFC", name or "").strip()
    # "Dumas, Alexandre (fils)": a parenthesis may say the generation.
    generation = next(filter(None, map(text.name_generation, _PARENTHESIS.findall(name))), "")
    # A heading's dates by the catalog's rule (`Chrétien, de Troyes, active 12th century`),
    # then any left inside it (`Parks, Tim, 1954-, translator`).
    name = split_life_dates(_PARENTHESIS.sub("", name)).name
    kept: list[str] = []
    for part in (p.strip() for p in name.split(",")):
        words = text.normalize_text(part)
        surname_first = not kept and words in _HONORIFICS_ALSO_SURNAMES  # "Prince, Harold"
        if not words or _LIFE_DATES.match(part) or words in _ROLES:
            continue
        if words in _HONORIFICS and not surname_first:
            continue
        if words in _ROLE_ABBREVIATIONS and (part.endswith(".") or len(kept) >= 2):
            continue
        if text.name_generation(words):
            generation = text.name_generation(words)
            continue
        kept.append(part)
    # A sort name's generation word after the given names (`Gates, Henry Louis Jr.`, `Dumas,
    # Alexandre fils`): not an initial ("j r") nor a middle name.
    given_words = kept[1].split() if len(kept) == 2 else []
    if len(given_words) > 1 and (word_generation := text.name_generation(given_words[-1])):
        generation, kept[1] = word_generation, " ".join(given_words[:-1])
    cell_words = " ".join(kept).casefold().split()
    if len(kept) > 2 or _CONJUNCTIONS.intersection(cell_words[1:-1]):
        # "Fernando Pessoa, Herman Hesse, George Orwell...", "Arkady and Boris Strugatsky":
        # several people, not one name (either brother's name would agree with it).
        return _PersonName("", (), "", "")
    # The catalog's rule turns "Last, First" around and spaces initials ("J.M." -> "j m").
    tokens = text.normalize_person_name(transliterate_to_latin(", ".join(kept))).split()
    for length in (2, 1):  # "Pliny the Elder", "Alexandre Dumas père", "Kurt Vonnegut Jr."
        if len(tokens) > length and text.name_generation(" ".join(tokens[-length:])):
            generation = text.name_generation(" ".join(tokens[-length:]))
            del tokens[-length:]
            break
    if len(tokens) > 1:
        last = len(tokens) - 1
        tokens = [
            t
            for i, t in enumerate(tokens)
            if t not in _HONORIFICS or (i == last and t in _HONORIFICS_ALSO_SURNAMES)
        ] or tokens
    if not tokens:
        return _PersonName("", (), "", generation)
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1] in SURNAME_PARTICLES:
        start -= 1
    given: list[str] = []
    for token in tokens[:start]:
        # "JM Coetzee", "JRR Tolkien": initials written together.
        if 1 < len(token) <= 3 and not _VOWELS & set(token):
            given.extend(token)
        else:
            given.append(token)
    surname = " ".join(tokens[start:])
    return _PersonName(" ".join((*given, surname)), tuple(given), surname, generation)


def person_name_key(name: str) -> str:
    """One normal form for a person's name: "Le Guin, Ursula K." and "Ursula K. Le Guin" are
    both "ursula k le guin"; "Сергей Лукьяненко" is "sergey lukyanenko"; "Dostoyevsky,
    Fyodor, 1821-1881" is "fyodor dostoyevsky". "" when it names no one person."""
    return _parse(name).key


# The spellings that romanisations of one name differ by, folded to one: kh/h (Mikhail,
# Mihail), ou/u (French Boulgakov), w/v (German Dostojewski), the y/i/j of й and ы (Sergey,
# Sergei, Sergej), ye/ie/je after a vowel and yo/io between consonants (Dostoyevsky,
# Dostoevsky; Fyodor, Fiodor, Fedor), doubled letters.
_ROMANISATION_VARIANTS = (
    (re.compile(r"tch"), "ch"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"w"), "v"),
    (re.compile(r"(?<=[aeiou])[yij]e"), "e"),
    (re.compile(r"(?<=[^aeiouyij])[yij]o(?=[^aeiouyij])"), "e"),
    (re.compile(r"[yj]"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),
)


@functools.lru_cache(maxsize=8192)
def _loose(word: str) -> str:
    for pattern, replacement in _ROMANISATION_VARIANTS:
        word = pattern.sub(replacement, word)
    return word


def _surname_similarity(a: _PersonName, b: _PersonName) -> float:
    ours, theirs = _loose(a.surname.replace(" ", "")), _loose(b.surname.replace(" ", ""))
    if ours == theirs:
        return 100.0
    # A letter or two tell short surnames apart (Mann, Marr): only long ones are compared.
    return fuzz.ratio(ours, theirs) if min(len(ours), len(theirs)) >= 5 else 0.0


#: A surname this alike is the same one (one letter in a long name: Kasatkin / Kasatkina).
SURNAME_AGREES = 88
#: This alike, with agreeing given names, it may be misspelt (Open Library's "J.R.R. Tolkein").
SURNAME_CLOSE = 80


def _given_names_agree(ours: str, theirs: str) -> int:
    """2: the same given name (in any romanisation); 1: an initial that fits; 0: another."""
    if len(ours) == 1 or len(theirs) == 1:
        return 1 if ours[0] == theirs[0] else 0
    a, b = _loose(ours), _loose(theirs)
    return 2 if a == b or fuzz.ratio(a, b) >= 85 else 0


def _compare_given_names(a: _PersonName, b: _PersonName) -> tuple[int, str]:
    """Each given name or initial of the shorter side fits one of the other's, in order: a
    middle name or initial present on one side only is tolerated, a different one is not."""
    shorter, longer = sorted((a.given, b.given), key=len)
    agreement, position = 0, 0
    for name in shorter:
        while position < len(longer) and not _given_names_agree(name, longer[position]):
            position += 1
        if position == len(longer):
            return 0, ""
        agreement += _given_names_agree(name, longer[position])
        position += 1
    initials = any(len(n) == 1 for n in (*a.given, *b.given)) and a.given != b.given
    notes = [
        *([_("initials")] if initials else []),
        *([_("a middle name on one side")] if len(a.given) != len(b.given) else []),
    ]
    return agreement, ", ".join(notes) or _("another spelling")


def _in_latin(parsed: _PersonName) -> bool:
    return parsed.key.isascii()


def _written_alike(ours: str, theirs: str) -> bool:
    def written(name: str) -> str:
        return text.normalize_person_name(transliterate_to_latin(name or ""))

    return bool(written(ours)) and written(ours) == written(theirs)


# Latin letters that write one Cyrillic letter each (Serbian's Latin alphabet, as ALA-LC writes
# Serbian too: Kiš is Киш, Đorđe Ђорђе), spelled as Cyrillic is transliterated ("sh", "dj"):
# folded to "s" and "d" they are other names (Kis, Dorde).
_CYRILLIC_LETTERS_IN_LATIN = str.maketrans(
    {"š": "sh", "Š": "Sh", "č": "ch", "Č": "Ch", "ž": "zh", "Ž": "Zh", "đ": "dj", "Đ": "Dj"}
)


def score_author_name(ours: str, theirs: str) -> tuple[int, str]:
    """How surely two names are one person's, 0–5, with the reason.

    5 the same name (after person_name_key); 4 the same surname and given names that agree
    through initials, a middle name on one side or another romanisation; 3 a surname alone on
    one side, a single initial for a given name, or a surname one letter or two off; 1 the
    same surname with other given names (another person of the family); 0 another name, or
    scripts that cannot be compared.
    """
    score = _score_names(ours, theirs, _parse(ours), _parse(theirs))
    cyrillic = ["cyrillic" in scripts_of(name) for name in (ours, theirs)]
    if score[0] < 5 and cyrillic[0] != cyrillic[1]:
        latin = theirs if cyrillic[0] else ours
        spelled = latin.translate(_CYRILLIC_LETTERS_IN_LATIN)
        if spelled != latin:
            a, b = (
                (_parse(ours), _parse(spelled))
                if cyrillic[0]
                else (_parse(spelled), _parse(theirs))
            )
            score = max(score, _score_names(ours, theirs, a, b), key=lambda s: s[0])
    return score


def _score_names(ours: str, theirs: str, a: _PersonName, b: _PersonName) -> tuple[int, str]:
    """score_author_name of two names as parsed (the reasons name them as written)."""
    if not (a.key and b.key) and _written_alike(ours, theirs):
        # One credit naming a firm or two people ("McKinsey & Company Inc.", "Arkady and
        # Boris Strugatsky") is itself, though it is no one person's name.
        return 5, _("'%(theirs)s' is '%(ours)s'") % {"ours": ours, "theirs": theirs}
    if not a.key or not b.key:
        unread = ours if not a.key else theirs
        if not unread.strip():
            return 0, _("a name is missing")
        return 0, _("'%(name)s' is not one person's name") % {"name": unread}
    if not (_in_latin(a) and _in_latin(b)):
        if a.key == b.key:  # one name in one script (`小松 左京`, `小松左京`: one key)
            return 5, _("'%(theirs)s' is '%(ours)s'") % {"ours": ours, "theirs": theirs}
        return 0, _("'%(ours)s' and '%(theirs)s' are in scripts that cannot be compared") % {
            "ours": ours,
            "theirs": theirs,
        }
    names = {"ours": ours, "theirs": theirs}
    if generations_differ([ours], [theirs]):
        return 1, _("'%(theirs)s' and '%(ours)s' are two generations of a family") % names
    if a.key == b.key or a.key.replace(" ", "") == b.key.replace(" ", ""):
        return 5, _("'%(theirs)s' is '%(ours)s'") % names
    surnames = _surname_similarity(a, b)
    if surnames < SURNAME_AGREES:
        if sorted(map(_loose, a.key.split())) == sorted(map(_loose, b.key.split())):
            return 4, _("'%(theirs)s' is '%(ours)s' in another order") % names
        if surnames >= SURNAME_CLOSE and _compare_given_names(a, b)[0] >= 2:
            return 3, _("'%(theirs)s' is nearly '%(ours)s' (a misspelt surname?)") % names
        return 0, _("'%(theirs)s' is another name than '%(ours)s'") % names
    if not a.given and not b.given:
        return 4, _("'%(theirs)s' is '%(ours)s' spelled another way") % names
    if not a.given or not b.given:
        return 3, _("'%(theirs)s' and '%(ours)s' share only a surname") % names
    agreement, how = _compare_given_names(a, b)
    if not agreement:
        if is_transliterated(ours) or is_transliterated(theirs):
            # Лев is Lev, and Leo in English: a given name translated is no romanisation.
            return 1, _(
                "'%(theirs)s' and '%(ours)s' share a surname; their given names differ once "
                "transliterated (another language's form of one name?)"
            ) % names
        return 1, _("'%(theirs)s' and '%(ours)s' share a surname but not the given names") % names
    if agreement == 1:
        return 3, _("'%(theirs)s' may be '%(ours)s': one initial agrees") % names
    return 4, _("'%(theirs)s' is '%(ours)s' (%(how)s)") % {**names, "how": how}


def generations_differ(ours: Iterable[str], theirs: Iterable[str]) -> tuple[str, str] | None:
    """The names of one person against another's: (one of ours, one of theirs) when they say
    two generations of a family (Dumas père / Dumas fils, Jr. / Sr., II / III) and neither
    side's other names say the other's; None when they do not. A name that says no generation
    ("Alexandre Dumas") differs from none."""
    said = [
        {_parse(name).generation: name for name in names if _parse(name).generation}
        for names in (ours, theirs)
    ]
    if not (said[0] and said[1]) or said[0].keys() & said[1].keys():
        return None
    return next(iter(said[0].values())), next(iter(said[1].values()))


def _best_name_pair(ours: Iterable[str], theirs: Iterable[str]) -> tuple[int, str]:
    """The best score_author_name of one of one person's names against one of another's,
    each pair alone (score_author_names also reads them together)."""
    ours, theirs = [n for n in ours if n], [n for n in theirs if n]
    if not (ours and theirs):
        return 0, _("a name is missing")
    best = score_author_name(ours[0], theirs[0])  # its reason, when no pair agrees
    for a in ours:
        for b in theirs:
            score = score_author_name(a, b)
            if score[0] > best[0]:
                best = score
    return best


def one_name_two_generations(ours: Iterable[str], theirs: Iterable[str]) -> bool:
    """Whether two people's names are one name (NAME_AGREES, the generation words aside) said
    of two generations of a family: Dumas père and Dumas fils, Pliny the Elder and the Younger."""
    ours, theirs = list(ours), list(theirs)
    if generations_differ(ours, theirs) is None:
        return False
    keys = [[person_name_key(name) for name in names if name] for names in (ours, theirs)]
    return _best_name_pair(*keys)[0] >= NAME_AGREES


def score_author_names(ours: Iterable[str], theirs: Iterable[str]) -> tuple[int, str]:
    """The best score_author_name of one person's names (a name, a sort name, alternate names)
    against another's; 1 at most when their names say two generations of a family, whichever
    other names agree ("Dumas, Alexandre" on both sides of Dumas père and Dumas fils)."""
    ours, theirs = list(ours), list(theirs)
    best = _best_name_pair(ours, theirs)
    differ = generations_differ(ours, theirs)
    if differ and best[0] > 1:
        return 1, _("'%(theirs)s' and '%(ours)s' are two generations of a family") % {
            "ours": differ[0],
            "theirs": differ[1],
        }
    return best


def _best_name(ours: AuthorQuery, record: AuthorRecordSummary) -> tuple[int, str, bool]:
    """The best name score over both sides' names (score_author_names), its reason, and
    whether any pair of names could be compared at all (both in Latin letters once
    transliterated)."""
    our_names = (ours.name, *ours.alternative_names)
    their_names = (record.name, *record.alternate_names)
    best, reason = score_author_names(our_names, their_names)
    comparable = any(
        all(p.key and _in_latin(p) for p in (_parse(a), _parse(b)))
        for a in our_names
        for b in their_names
    )
    return best, reason, comparable


# --- ids, works, years ---------------------------------------------------------------------


def normalize_author_id(kind: str, value: str) -> str:
    """An author id as both sides compare it: "OL23919A", "Q42", "1234" ("" if none): the
    sources' own reading of ids (providers.fields.author_id), whatever its case."""
    return author_id(kind, (value or "").strip().upper())


def _compare_ids(ours: AuthorQuery, record: AuthorRecordSummary) -> tuple[list[str], list[str]]:
    """The ids both sides hold alike ("Wikidata Q3335"), and those they hold differently
    ("Open Library OL2A, ours OL1A")."""
    same, different = [], []
    for kind, label in AUTHOR_ID_LABELS.items():
        a = normalize_author_id(kind, ours.ids.get(kind, ""))
        b = normalize_author_id(kind, record.ids.get(kind, ""))
        if a and b and a == b:
            same.append(f"{label} {b}")
        elif a and b:
            different.append(
                _("%(label)s %(theirs)s, ours %(ours)s") % {"label": label, "theirs": b, "ours": a}
            )
    return same, different


def _isbn13s(values: Iterable[str]) -> set[str]:
    return {isbn13 for isbn13 in map(isbn_module.to_isbn13, values) if isbn13}


#: Record titles a title of ours is compared with in full (score_title), after a quick
#: token-set prefilter: an author record may list a thousand works.
_TITLES_COMPARED = 5
_TITLE_PREFILTER = 50


def score_shared_works(ours: AuthorQuery, record: AuthorRecordSummary) -> tuple[int, str]:
    """5 when one of our ISBNs is on the record; else the best title score (the book matcher's
    score_title) of one of our works against the record's works. A generic title ("Poems",
    "Collected Stories": catalog.generic_titles) is no work in common: countless authors have
    a book of that name."""
    shared = sorted(_isbn13s(ours.isbns) & _isbn13s(record.isbns))
    if shared:
        return 5, _("ISBN %(isbn)s of our works is among the record's works") % {"isbn": shared[0]}
    titles = [t for t in ours.work_titles if t.strip() and not is_generic_title(t)]
    if not titles and not ours.isbns:
        if any(t.strip() for t in ours.work_titles):
            return 0, _("their works' titles are generic (Poems, Collected Stories...)")
        return 0, _("we know none of their works")
    theirs = {t: text.normalize_text(t) for t in record.work_titles if t.strip()}
    if not theirs:
        return 0, _("the record lists no works")
    best, reason = 0, ""
    for title in titles:
        found = process.extract(
            text.normalize_text(title),
            theirs,
            scorer=fuzz.token_set_ratio,
            score_cutoff=_TITLE_PREFILTER,
            limit=_TITLES_COMPARED,
        )
        for _normalized, _ratio, their_title in found:
            score, _why = score_title(
                BookQuery(title=title), Candidate(provider=record.provider, title=their_title)
            )
            if score > best:
                best = score
                reason = _("our work '%(ours)s' is the record's '%(theirs)s' (%(score)s/5)") % {
                    "ours": title,
                    "theirs": their_title,
                    "score": score,
                }
    if best >= TITLE_AGREES:
        return best, reason
    return best, _("none of our works is among the record's works")


def _year_conflicts(ours: AuthorQuery, record: AuthorRecordSummary) -> list[str]:
    conflicts = []
    for what, a, b, approximate in (
        (
            _("born"),
            ours.birth_year,
            record.birth_year,
            ours.birth_year_approximate or record.birth_year_approximate,
        ),
        (
            _("died"),
            ours.death_year,
            record.death_year,
            ours.death_year_approximate or record.death_year_approximate,
        ),
    ):
        if years_conflict(a, b, approximate=approximate):
            conflicts.append(
                _("%(what)s %(theirs)s per the record, %(ours)s per ours: another person?")
                % {"what": what, "theirs": b, "ours": a}
            )
    return conflicts


# --- the record ----------------------------------------------------------------------------


def author_tier_for(identifier: int, name: int, works: int, names_comparable: bool) -> Tier:
    """The tier before caps: an id decides; else a good name needs a shared work."""
    if identifier >= ID_AGREES:
        return Tier.HIGH
    if works >= TITLE_AGREES:
        if name >= NAME_AGREES:
            return Tier.HIGH
        if name >= NAME_CLOSE:
            return Tier.MEDIUM
        # A relative or a co-author shares the work; a name we cannot read may be theirs.
        return Tier.LOW if name >= 1 or not names_comparable else Tier.NONE
    return Tier.LOW if name >= NAME_CLOSE else Tier.NONE


def _cap(tier: Tier, ceiling: Tier) -> Tier:
    return min(tier, ceiling, key=TIER_ORDER.__getitem__)


def score_author_record(ours: AuthorQuery, record: AuthorRecordSummary) -> AuthorMatchScore:
    same_ids, different_ids = _compare_ids(ours, record)
    identifier = ID_AGREES if same_ids else 0
    name, name_reason, comparable = _best_name(ours, record)
    works, works_reason = score_shared_works(ours, record)
    tier = author_tier_for(identifier, name, works, comparable)
    reasons = [
        *(
            [_("the record holds our id (%(ids)s)") % {"ids": ", ".join(same_ids)}]
            if same_ids
            else []
        ),
        name_reason,
        works_reason,
    ]
    if different_ids:
        ids = ", ".join(different_ids)
        if identifier:
            reasons.append(
                _("other ids differ (%(ids)s): one of them is a duplicate?") % {"ids": ids}
            )
        else:
            tier = _cap(tier, Tier.LOW)
            reasons.append(
                _("the record's ids are not ours (%(ids)s): kept for review") % {"ids": ids}
            )
    names = ((ours.name, *ours.alternative_names), (record.name, *record.alternate_names))
    if identifier and generations_differ(*names):
        # Father and son of one name: an id of one on the other's record is a wrong id.
        tier = _cap(tier, Tier.LOW)
        reasons.append(_("the id matches but the names say another generation: kept for review"))
    if identifier and comparable and name == 0:
        # A wrong id in our data or theirs: the names say it is someone else.
        tier = _cap(tier, Tier.LOW)
        reasons.append(_("the id matches but the name does not: kept for review"))
    if not identifier and works < TITLE_AGREES and name >= NAME_CLOSE:
        reasons.append(_("a name alone is never enough: kept for review"))
    for conflict in _year_conflicts(ours, record):
        tier = _cap(tier, Tier.LOW)
        reasons.append(conflict)
    if record.not_a_person:
        # A pen name's, a band's or a fictional character's item holding our id is no person:
        # its dates, gender and portrait are not our author's to apply.
        tier = _cap(tier, Tier.LOW)
        reasons.append(
            _("the record is no person (%(kind)s): kept for review") % {"kind": record.not_a_person}
        )
    return AuthorMatchScore(identifier, name, works, tier, reasons)
