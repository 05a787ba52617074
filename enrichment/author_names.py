"""A person's name as author matching reads it: one normal form (`person_name_key`), the score
of two names on matching's 0–5 scale (`score_author_name`), and two generations of a family
(`generations_differ`). Pure functions, no database; enrichment.author_matching scores records
with them, reconciliation (enrichment.reconcile) compares two authors of ours.

Names are compared on one normal form: "Last, First" turned around, library headings' life
dates and roles dropped ("Dostoyevsky, Fyodor, 1821-1881"), a title before or after the name
("Dr.", "Sir") and a sort name's generation word ("Gates, Henry Louis Jr.") read aside, accents
folded, Cyrillic and Greek transliterated (catalog.transliteration).
"""

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from catalog import text
from catalog.importers.name_joins import conjunction_joins_people
from catalog.name_order import SURNAME_PARTICLES
from catalog.person_names import split_life_dates
from catalog.transliteration import is_transliterated, transliterate_to_latin
from enrichment.author_romanisations import (
    FRENCH_SURNAME_MIN,
    differ_by_added_letters,
    join_korean_given_names,
    other_romanisations_of_a_chinese_name,
    other_romanisations_of_a_korean_name,
    read_as_french_transcription,
    romanised_east_asian,
)

#: The name scores at which a shared work makes a record high (NAME_AGREES) or medium.
NAME_AGREES = 4
NAME_CLOSE = 3


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
# A heading's title of nobility, a part of its own after the name (Library of Congress:
# "Tolstoy, Leo, graf, 1828-1910", "Rochester, John Wilmot, Earl of, 1647-1680"): read aside
# there only, after the surname and given names, since most are names too (Oskar Maria Graf,
# "Graf, Steffi", Count Basie, "Gregory, Lady": Lady Gregory).
_TITLES_OF_NOBILITY = frozenset(
    {"graf", "grafin", "grafinia", "grafinya", "count", "countess", "comte", "comtesse", "conte",
     "contessa", "conde", "condesa", "hrabia", "baron", "baroness", "baronne", "freiherr",
     "freiherr von", "freifrau", "freifrau von", "knyaz", "kniaz", "knia z", "viscount",
     "viscountess", "vicomte", "marquis", "marquise", "markiz", "marchese", "lord", "lady",
     "duke", "duchess", "duc", "duchesse", "earl", "earl of", "duke of", "duchess of",
     "marquis of", "countess of", "baron of", "baroness of", "viscount of"}
)  # fmt: skip
_VOWELS = frozenset("aeiouy")
# Words joining two people in one cell: "Аркадий и Борис Стругацкие", "Jacob und Wilhelm Grimm".
# Read before transliteration (и would be "i", an initial). Not Spanish "y" nor Portuguese "e":
# they join the two surnames of one person ("José Ortega y Gasset").
_CONJUNCTIONS = frozenset({"and", "&", "und", "et", "og", "och", "и", "і", "та"})
# A slash between names: Goodreads' "Tetsuo Hara/Buronson", the artist and the writer of one
# manga.
_SLASH_BETWEEN_NAMES = re.compile(r"[^\W\d_]\s*/\s*[^\W\d_]")


@dataclass(frozen=True, slots=True)
class _PersonName:
    key: str  # person_name_key
    given: tuple[str, ...]  # given names and initials, in order
    surname: str  # with its particles: "le guin"
    generation: str  # text.name_generation: "jr" (Jr., fils), "sr" (Sr., père), "ii"…


@functools.lru_cache(maxsize=8192)
def _parse(name: str) -> _PersonName:
    name = join_korean_given_names(unicodedata.normalize("NFC", name or "").strip())
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
        if words in _TITLES_OF_NOBILITY and len(kept) >= 2:
            continue  # after the surname and given names ("Gregory, Lady" is Lady Gregory)
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
    if (
        len(kept) > 2
        or conjunction_joins_people(", ".join(kept), _CONJUNCTIONS)
        or _SLASH_BETWEEN_NAMES.search(" ".join(kept))
    ):
        # "Fernando Pessoa, Herman Hesse, George Orwell...", "Arkady and Boris Strugatsky",
        # "Tetsuo Hara/Buronson": several people, not one name (either's would agree with it).
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


# The spellings that romanisations of one name differ by, folded to one: tsch/tch/tsj/cz/ch
# for ч (German Tschechow, French Tchekhov, Dutch Tsjechov, Polish Czechow), ts/c for ц
# (Solzhenitsyn, the scholarly Solženicyn), kh/h (Mikhail, Mihail), ou/u (French Boulgakov),
# x/ks (Alexander, Aleksandr), w/v (German Dostojewski), the y/i/j of й and ы (Sergey, Sergei,
# Sergej), ye/ie/je after a vowel and yo/io between consonants (Dostoyevsky, Dostoevsky;
# Fyodor, Fiodor, Fedor), doubled letters.
_ROMANISATION_VARIANTS = (
    (re.compile(r"tsch"), "ch"),
    (re.compile(r"tch"), "ch"),
    (re.compile(r"tsj"), "ch"),
    (re.compile(r"cz"), "ch"),
    (re.compile(r"ts"), "c"),
    (re.compile(r"x"), "ks"),
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


# Particles a surname is often written without, alone or in a short form ("Goethe", "Beethoven",
# "Tocqueville"): nobility's von, van, de, zu… (not the Mac, Saint, Ibn or Le that make a
# surname: MacDonald, Saint-Exupéry, Le Guin).
_DROPPED_PARTICLES = frozenset(
    {"von", "van", "de", "du", "des", "der", "den", "da", "di", "do", "dos", "das", "zu", "ten",
     "ter"}
)  # fmt: skip


def _without_particles(surname: str) -> str:
    words = surname.split()
    while len(words) > 1 and words[0] in _DROPPED_PARTICLES:
        del words[0]
    return "".join(words)


def _surname_similarity(a: _PersonName, b: _PersonName) -> float:
    ours, theirs = _loose(a.surname.replace(" ", "")), _loose(b.surname.replace(" ", ""))
    if ours == theirs:
        return 100.0
    if min(len(a.surname), len(b.surname)) >= FRENCH_SURNAME_MIN and (
        _loose(read_as_french_transcription(a.surname.replace(" ", ""))) == theirs
        or _loose(read_as_french_transcription(b.surname.replace(" ", ""))) == ours
    ):
        return 100.0
    # A particle on one side only: "Johann Wolfgang von Goethe", "Johann Wolfgang Goethe".
    if _loose(_without_particles(a.surname)) == _loose(_without_particles(b.surname)):
        return 100.0
    shorter, longer = sorted((ours, theirs), key=len)
    if longer.startswith(shorter) and len(longer) - len(shorter) >= 2:
        # Another surname made of this one (Richards, Richardson; Mandel, Mandeville), not a
        # misspelling of it, which differs by a letter or two inside (Tolkien, Tolkein).
        return 0.0
    # A letter or two tell short surnames apart (Mann, Marr): only long ones are compared.
    if min(len(ours), len(theirs)) < 5:
        return 0.0
    similarity = fuzz.ratio(ours, theirs)
    if similarity >= SURNAME_AGREES and not differ_by_added_letters(ours, theirs):
        # Goldstein / Goodstein, Johnson / Jonson: another surname, or this one misspelt; never
        # the same on spelling alone (a reviewer's, at best "nearly": _score_names).
        return min(similarity, SURNAME_AGREES - 1)
    return similarity


def _misspelt(ours: str, theirs: str) -> bool:
    """Whether one surname may be the other misspelt: a letter or two off (Tolkien, Tolkein),
    not three (Mandel, Mandeville)."""
    return Levenshtein.distance(_loose(ours), _loose(theirs), score_cutoff=2) <= 2


#: A surname this alike is the same one (one letter in a long name: Kasatkin / Kasatkina).
SURNAME_AGREES = 88
#: This alike, with agreeing given names, it may be misspelt (Open Library's "J.R.R. Tolkein").
SURNAME_CLOSE = 80


# One given name in the forms other languages give it, which no romanisation turns into one
# another (compared as _loose writes them): Лев is Lev, Leo in English and German, Léon in
# French (Tolstoy; Trotsky is Leon in English); Пётр and Czech Petr are Peter in English
# (Kropotkin, Petr Sís).
# Елена is Yelena, Helena in Latin, German, Polish and Czech, Helen in English, Hélène in French
# (Blavatsky: Елена Блаватская, Helena and Helen Blavatsky): one name, no masculine and feminine.
_GIVEN_NAME_FORMS = (
    frozenset({"lev", "leo", "leon"}),
    frozenset({"petr", "peter"}),
    frozenset(map(_loose, ("helen", "helena", "helene", "elena", "yelena", "jelena"))),
)


def _other_forms_of_one_given_name(ours: str, theirs: str) -> bool:
    a, b = _loose(ours), _loose(theirs)
    return a != b and any(a in forms and b in forms for forms in _GIVEN_NAME_FORMS)


# English given names and the short forms people write under, which no spelling rule relates
# (Goodreads credits "Unlimited Power" to Anthony Robbins and Tony Robbins, one man). Only
# short forms of one name alone: Chris, Alex, Sam or Pat may be a man's or a woman's name.
_SHORT_FORMS = {
    "anthony": "tony", "william": "bill", "robert": "bob", "james": "jim", "michael": "mike",
    "david": "dave", "thomas": "tom", "daniel": "dan", "joseph": "joe", "richard": "dick",
    "edward": "ted", "kenneth": "ken", "timothy": "tim", "gregory": "greg",
}  # fmt: skip


def _short_form(ours: str, theirs: str) -> bool:
    """Whether one given name is the other's short form (Tony, Anthony)."""
    return _SHORT_FORMS.get(ours) == theirs or _SHORT_FORMS.get(theirs) == ours


# Egyptian Arabic says ج as g, and French writes a hard g before e or i as "gu": Naguib, Nagib
# and Najib are one name (Naguib Mahfouz, Najib Mahfuz).
_SOFT_G = re.compile(r"gu?(?=[ei])")


def _arabic_g_as_j(name: str) -> str:
    return _loose(_SOFT_G.sub("j", name))


def _masculine_and_feminine(a: str, b: str) -> bool:
    """Whether two given names (as _loose writes them) are one name's masculine and feminine
    forms, two people: Alexander / Alexandra (Alexander Ahndoril and his wife Alexandra Coelho
    Ahndoril, who write as Lars Kepler), Paul / Paula, Antonio / Antonia. Not an "e" added:
    Émile is Emil in German, Alexandre is Aleksandr in French."""
    shorter, longer = sorted((a, b), key=len)
    if longer == shorter + "a":  # Aleksandr / Aleksandra, Paul / Paula
        return True
    if len(a) != len(b):
        return False
    return (
        (a[:-1] == b[:-1] and {a[-1], b[-1]} == {"o", "a"})
        or (  # Antonio / Antonia
            a[:-2] == b[:-2] and {a[-2:], b[-2:]} == {"er", "ra"}  # Alexander / Alexandra
        )
    )


# English given names whose ending says a man's or a woman's, which _loose's y / i folding makes
# one (as it must for Sergey / Sergei): Tony (Anthony) and Toni (Antonia), Bobby and Bobbi.
_MAN_AND_WOMAN_BY_ENDING = tuple(map(frozenset, (
    {"tony", "toni"}, {"bobby", "bobbi", "bobbie"}, {"jerry", "jeri", "jerri"},
    {"terry", "teri", "terri"}, {"randy", "randi"}, {"billy", "billie"}, {"danny", "dani"},
)))  # fmt: skip


def _man_and_woman_by_ending(ours: str, theirs: str) -> bool:
    return ours != theirs and any(
        ours in names and theirs in names for names in _MAN_AND_WOMAN_BY_ENDING
    )


def _given_names_agree(ours: str, theirs: str) -> int:
    """2: the same given name (in any romanisation, or another language's form of it); 1: an
    initial that fits; 0: another (a masculine and a feminine form of one name among them)."""
    if len(ours) == 1 or len(theirs) == 1:
        return 1 if ours[0] == theirs[0] else 0
    a, b = _loose(ours), _loose(theirs)
    if _other_forms_of_one_given_name(ours, theirs) or _short_form(ours, theirs):
        return 2  # Helen / Helena: one name's forms, not a masculine and a feminine one
    if _masculine_and_feminine(a, b) or _man_and_woman_by_ending(ours, theirs):
        return 0
    if a == b or fuzz.ratio(a, b) >= 85 or _arabic_g_as_j(ours) == _arabic_g_as_j(theirs):
        return 2
    return 0


def _compare_given_names(a: _PersonName, b: _PersonName) -> tuple[int, str]:
    """Each given name or initial of the shorter side fits one of the other's, in order: a
    middle name or initial present on one side only is tolerated, a different one is not."""
    shorter, longer = sorted((a.given, b.given), key=len)
    agreement, position, translated, shortened = 0, 0, False, False
    for name in shorter:
        start = position
        while position < len(longer) and not _given_names_agree(name, longer[position]):
            position += 1
        if position == len(longer):
            return 0, ""
        if (
            len(name) > 1
            and len(longer[position]) == 1
            and any(len(skipped) > 1 for skipped in longer[start:position])
        ):
            # "Patricia" is not "Joseph P.": past another first name, only a middle initial
            # agrees (Open Library's Patricia Orwell and Joseph P. Orwell).
            return 0, ""
        agreement += _given_names_agree(name, longer[position])
        translated |= _other_forms_of_one_given_name(name, longer[position])
        shortened |= _short_form(name, longer[position])
        position += 1
    initials = any(len(n) == 1 for n in (*a.given, *b.given)) and a.given != b.given
    notes = [
        *([_("another language's form of a given name")] if translated else []),
        *([_("a given name's short form")] if shortened else []),
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
    one side, a single initial for a given name, or a surname one letter or two off (a letter
    in place of another, Goldstein / Goodstein, is never the same surname); 1 the
    same surname with other given names (another person of the family); 0 another name, or
    scripts that cannot be compared.
    """
    score = _score_names(ours, theirs, _parse(ours), _parse(theirs))
    if score[0] < NAME_CLOSE and other_romanisations_of_a_chinese_name(
        _parse(ours).key, _parse(theirs).key
    ):
        return NAME_CLOSE, _(
            "'%(theirs)s' may be '%(ours)s' in another romanisation of Chinese (pinyin, Wade-Giles)"
        ) % {"ours": ours, "theirs": theirs}
    if score[0] < NAME_CLOSE and other_romanisations_of_a_korean_name(
        _parse(ours).key, _parse(theirs).key
    ):
        return NAME_CLOSE, _("'%(theirs)s' may be '%(ours)s' in another romanisation of Korean") % {
            "ours": ours,
            "theirs": theirs,
        }
    # Also read with č, š, ž spelled out: the Latin letters of Serbian (Kiš is Киш) and of the
    # scholarly and Czech romanisations of Russian (Čechov is Chekhov, Tschechow), which
    # folding to c, s, z makes other names.
    spelled = [name.translate(_CYRILLIC_LETTERS_IN_LATIN) for name in (ours, theirs)]
    if score[0] < 5 and spelled != [ours, theirs]:
        again = _score_names(ours, theirs, _parse(spelled[0]), _parse(spelled[1]))
        score = max(score, again, key=lambda s: s[0])
    return score


def _score_names(
    ours: str, theirs: str, a: _PersonName, b: _PersonName, *, turned: bool = False
) -> tuple[int, str]:
    """score_author_name of two names as parsed (the reasons name them as written); `turned`
    when one of them is already read family name first (_read_family_name_first)."""
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
        if sorted(map(_loose, a.key.split())) == sorted(map(_loose, b.key.split())) or (
            _family_name_first(a.key, b.key)
        ):
            return 4, _("'%(theirs)s' is '%(ours)s' in another order") % names
        if (
            surnames >= SURNAME_CLOSE
            and _misspelt(a.surname, b.surname)
            and _compare_given_names(a, b)[0] >= 2
        ):
            return 3, _("'%(theirs)s' is nearly '%(ours)s' (a misspelt surname?)") % names
        if not turned:
            # "Murakami Haruki", family name first, against "Murakami, H." or "Ryū Murakami":
            # compared as "Haruki Murakami" is, by the initials and given names (a surname
            # alone on the other side is no evidence: "Harold" is not "Prince Harold").
            for x, y in ((_read_family_name_first(a), b), (a, _read_family_name_first(b))):
                if x and y and x.given and y.given and _surname_similarity(x, y) >= SURNAME_AGREES:
                    return _score_names(ours, theirs, x, y, turned=True)
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


def _read_family_name_first(parsed: _PersonName) -> _PersonName | None:
    """A name of two words read family name first, as Japanese, Chinese and Korean names are
    written ("Murakami Haruki": Haruki of the Murakami family); None for any other. Only a name
    whose words a Japanese or Chinese romanisation may write: read so, "Thomas Mann" would be
    a Mann of the Thomas family, and "M. Thomas" (another person) his initial."""
    if len(parsed.given) != 1 or " " in parsed.surname or len(parsed.given[0]) == 1:
        return None
    if not (romanised_east_asian(parsed.given[0]) and romanised_east_asian(parsed.surname)):
        return None
    given, family = parsed.surname, parsed.given[0]
    return _PersonName(f"{given} {family}", (given,), family, parsed.generation)


def name_blocks(name: str) -> set[str]:
    """The letters under which a name meets the others of a crowded group (a title many authors
    share) to be compared with them: its surname's first, as romanisations write it alike
    (Tschechow and Chekhov: "c"), without its particle too ("von Goethe" meets "Goethe" under
    "g"), and for a name of two words that may be written family name first, its first word's
    ("Murakami Haruki" meets "Haruki Murakami" under "m")."""
    parsed = _parse(name)
    if not parsed.key:
        return set()
    surname = parsed.surname
    blocks = {_loose(surname.replace(" ", ""))[:1], _loose(_without_particles(surname))[:1]}
    if (turned := _read_family_name_first(parsed)) is not None:
        blocks.add(_loose(turned.surname)[:1])
    return blocks


def _family_name_first(ours: str, theirs: str) -> bool:
    """Whether one key is the other with its family name first, the given name's syllables
    written apart or together: Open Library's "Yao jun hua" is "Junhua Yao"."""

    def turned(key: str) -> str:
        words = key.split()
        return "".join(words[1:] + words[:1])

    ours_joined, theirs_joined = ours.replace(" ", ""), theirs.replace(" ", "")
    return turned(ours) == theirs_joined or turned(theirs) == ours_joined


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


def names_comparable(ours: Iterable[str], theirs: Iterable[str]) -> bool:
    """Whether any pair of the two sides' names can be compared at all (both one person's name,
    in Latin letters once transliterated)."""
    theirs = list(theirs)
    return any(
        all(p.key and _in_latin(p) for p in (_parse(a), _parse(b))) for a in ours for b in theirs
    )
