"""Other scripts in Latin letters, for comparing people's names written in two scripts
("Сергей Лукьяненко" / "Sergei Lukyanenko"): pure functions, no database."""

import re
import unicodedata

from catalog.text import strip_accents

# Cyrillic to Latin: BGN/PCGN for Russian without its apostrophes and diacritics (ё is "yo",
# as in "Fyodor"; ь and ъ are dropped), plus the letters of Ukrainian, Belarusian, Serbian and
# Macedonian. Other romanisations of the same name (Sergei, Serguei, Dostoevskii) differ only
# in spelling, which fuzzy matching absorbs; this table gives one Latin form, not every one.
_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",  # Ukrainian, Belarusian
    "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz",  # Serbian
    "ѓ": "gj", "ќ": "kj", "ѕ": "dz",  # Macedonian
}  # fmt: skip
# Letters only Ukrainian uses: where one appears, г is "h" (Сергій Жадан, Serhiy Zhadan).
_UKRAINIAN_ONLY = frozenset("іїєґІЇЄҐ")
# Bulgarian ъ, before a consonant, is a vowel ("a": Кънчев, Kanchev); Russian ъ is silent.
_CYRILLIC_VOWELS = frozenset("аеёиоуыэюяіїєАЕЁИОУЫЭЮЯІЇЄ")
# Modern Greek, ELOT 743 simplified (accents dropped first): the pairs, then single letters.
_GREEK_PAIRS = {
    "ου": "ou", "αυ": "av", "ευ": "ev", "ηυ": "iv", "γγ": "ng", "γξ": "nx", "γχ": "nch",
}  # fmt: skip
# At the start of a word these pairs are one sound: Μπαλάφας Balafas, Ντίνος Dinos.
_GREEK_INITIAL_PAIRS = {"μπ": ("b", "mp"), "ντ": ("d", "nt"), "γκ": ("g", "gk")}
_GREEK_TO_LATIN = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r",
    "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
}  # fmt: skip
# Latin letters that have no decomposition, so strip_accents keeps them; the marks that
# library romanisation (ALA-LC) writes for the soft and hard signs, and Ukrainian's apostrophe.
_LATIN_WITHOUT_DECOMPOSITION = {
    "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "ı": "i", "ħ": "h", "ŀ": "l", "\u02b9": "", "\u02ba": "", "\u02bc": "",
}  # fmt: skip
_TO_LATIN = {**_CYRILLIC_TO_LATIN, **_GREEK_TO_LATIN, **_LATIN_WITHOUT_DECOMPOSITION}


def _is_greek(ch: str) -> bool:
    return "\u0370" <= ch <= "\u03ff" or "\u1f00" <= ch <= "\u1fff"


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def scripts_of(text: str) -> set[str]:
    """The scripts transliterate_to_latin rewrites that `text` is written in: "cyrillic",
    "greek" (none for Latin or any other script)."""
    found = set()
    for ch in text:
        if _is_cyrillic(ch):
            found.add("cyrillic")
        elif _is_greek(ch):
            found.add("greek")
    return found


def is_transliterated(text: str) -> bool:
    """Whether transliterate_to_latin rewrites `text` from another script (Cyrillic, Greek)."""
    return bool(scripts_of(text))


def _cased(latin: str, source: str) -> str:
    return latin.capitalize() if source[:1].isupper() else latin


def transliterate_to_latin(text: str) -> str:
    """Cyrillic and Greek in Latin letters, and the Latin letters that have no accent to strip
    (ø, ł, đ, æ…) in basic ones: "Сергей Лукьяненко" -> "Sergey Lukyanenko", "Νίκος
    Καζαντζάκης" -> "Nikos Kazantzakis", "Hilde Østby" -> "Hilde Ostby". Any other script is
    left as it is. A capital becomes a capitalised romanisation ("Ж" -> "Zh").
    """
    text = unicodedata.normalize("NFC", text or "")
    # Greek accents and diaereses go first (ώ, ϊ): the pairs below are of bare letters.
    text = "".join(strip_accents(ch) if _is_greek(ch) else ch for ch in text)
    # ALA-LC ties letters with two combining half marks (i︠a︡): they go with the accents.
    text = re.sub("[\ufe20-\ufe2f]", "", text)
    ukrainian = any(ch in _UKRAINIAN_ONLY for ch in text)
    out: list[str] = []
    i = 0
    while i < len(text):
        ch, pair = text[i], text[i : i + 2]
        word_start = i == 0 or not text[i - 1].isalpha()
        if pair.lower() in _GREEK_PAIRS:
            out.append(_cased(_GREEK_PAIRS[pair.lower()], pair))
            i += 2
            continue
        if pair.lower() in _GREEK_INITIAL_PAIRS:
            initial, inside = _GREEK_INITIAL_PAIRS[pair.lower()]
            out.append(_cased(initial if word_start else inside, pair))
            i += 2
            continue
        lower, following = ch.lower(), text[i + 1 : i + 2]
        if ukrainian and lower == "г":
            out.append(_cased("h", ch))
        elif lower == "ъ" and _is_cyrillic(following) and following not in _CYRILLIC_VOWELS:
            out.append(_cased("a", ch))
        elif lower in _TO_LATIN:
            out.append(_cased(_TO_LATIN[lower], ch))
        else:
            out.append(ch)  # not ours to change: kept, case and all
        i += 1
    return "".join(out)
