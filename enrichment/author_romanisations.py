"""Romanisations that write one name in other letters, which author_names' loose spelling
rules do not fold: Japanese and Chinese names' syllables (a name that may be written family name
first), Wade-Giles against pinyin, French transcriptions of Russian, and the letters one
romanisation adds to a surname (`differ_by_added_letters`). Pure functions over
person_name_key's keys and words, no database.
"""

import re

from rapidfuzz.distance import Indel

# French transcribes Russian by its own spelling: ш as "ch" (ч is "tch"), ж as "j", a hard g
# before e or i as "gu", and a final "e" the name does not say (Pouchkine, Soljenitsyne,
# Tourgueniev). Read back only in a long surname: a short one is a name of its own (Chen, Shen).
_FRENCH_SPELLINGS = (
    (re.compile(r"(?<!t)ch"), "sh"),
    (re.compile(r"j"), "zh"),
    (re.compile(r"gu(?=[eiy])"), "g"),
    (re.compile(r"(?<=[^aeiouy])e$"), ""),
)
FRENCH_SURNAME_MIN = 6


def read_as_french_transcription(surname: str) -> str:
    for pattern, replacement in _FRENCH_SPELLINGS:
        surname = pattern.sub(replacement, surname)
    return surname


# A word a Japanese (Hepburn) or Chinese (pinyin) romanisation may write: its syllables only.
_JAPANESE_WORD = re.compile(
    r"(?:(?:[kgsztdnhbpmr]y?|sh|ch|ts|[jfwy])?[aeiou]|n(?![aeiouy])|[kstp](?=[kstpc]))+"
)
_PINYIN_WORD = re.compile(
    r"(?:(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|iao|ian|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|"
    r"ua|uo|ui|ue|er|a|o|e|i|u|v))+"
)


# A syllable of Korean in the Revised Romanization or McCune-Reischauer (its breves folded), or
# as Korean authors' names write them in English (Young, Sook, Joo, Choi, Lee, Park): an
# initial, a vowel (after a y or w glide), a final.
_KOREAN_SYLLABLE = (
    r"(?:kk|tt|pp|ss|jj|ch|sh|rh|[kgndtrlmbpsjh])?[yw]?"
    r"(?:eo|eu|ae|ee|oe|oi|oo|ou|ui|a|e|i|o|u)(?:ng|rk|[nmlkpt])?"
)
_KOREAN_WORD = re.compile(f"(?:{_KOREAN_SYLLABLE}){{1,2}}")
# A Korean given name, its two syllables joined by a hyphen ("Young-ha", "Eun-young").
_KOREAN_GIVEN_NAME = re.compile(f"\\b({_KOREAN_SYLLABLE})-({_KOREAN_SYLLABLE})\\b", re.IGNORECASE)


def romanised_east_asian(word: str) -> bool:
    """Whether a word (of a person_name_key) may be a Japanese, Chinese or Korean name's."""
    return bool(
        _JAPANESE_WORD.fullmatch(word)
        or _PINYIN_WORD.fullmatch(word)
        or _KOREAN_WORD.fullmatch(word)
    )


def join_korean_given_names(name: str) -> str:
    """A Korean given name's syllables written together ("Kim Young-ha" -> "Kim Youngha", as
    Korean writes 김영하): one given name, where the hyphen made "Kim Young" a person of the Ha
    family, so that "Kim Young-ha" did not meet "Kim, Y." nor "Y. Kim" as "Murakami Haruki"
    meets "Murakami, H."."""

    def joined(match: re.Match) -> str:
        return match.group(1) + match.group(2).lower()

    return _KOREAN_GIVEN_NAME.sub(joined, _fold_breves(name))


def _fold_breves(name: str) -> str:
    """McCune-Reischauer's ŏ and ŭ as the o and u they are folded to."""
    return name.translate(_BREVES)


_BREVES = str.maketrans({"ŏ": "o", "Ŏ": "O", "ŭ": "u", "Ŭ": "U"})


# A syllable of Wade-Giles, the romanisation of Chinese before pinyin, which writes a given
# name's syllables apart ("Tse-tung", "Hsiao-p'ing").
_WADE_GILES_SYLLABLE = re.compile(
    r"(?:ch|hs|sh|ss|sz|ts|tz|[fhjklmnpstwy])?"
    r"(?:iang|iung|uang|ang|eng|ieh|ien|iao|ing|ung|uai|uan|ueh|erh|ai|an|ao|ei|en|ia|ih|in|iu|"
    r"ou|ua|ui|un|uo|a|e|i|o|u)"
)
# Pinyin and Wade-Giles spellings of one sound, folded to one (Zedong, Tse-tung; Xun, Hsün;
# Zhou, Chou; Deng, Teng): Wade-Giles writes aspiration with an apostrophe most copies drop,
# so t is d or t, k is g or k, p is b or p; ch is zh, j, ch or q; ts is z or c.
_CHINESE_ROMANISATIONS = (
    (re.compile(r"hs"), "x"),
    (re.compile(r"zh|ch|q|j"), "J"),
    (re.compile(r"t[sz]|z|c"), "Z"),
    (re.compile(r"d"), "t"),
    (re.compile(r"b"), "p"),
    (re.compile(r"(?<!n)g"), "k"),
    (re.compile(r"ung"), "ong"),
    (re.compile(r"ieh"), "ie"),
    (re.compile(r"(?<=[iy])en"), "an"),
    (re.compile(r"ih\b"), "i"),
    (re.compile(r"erh"), "er"),
)


def _chinese_words(key: str) -> list[str] | None:
    """A key's words when each is pinyin or a Wade-Giles syllable (None otherwise)."""
    words = key.split()
    if len(words) < 2 or not all(
        _PINYIN_WORD.fullmatch(w) or _WADE_GILES_SYLLABLE.fullmatch(w) for w in words
    ):
        return None
    return words


def _chinese_romanisation(words: list[str]) -> tuple[str, str]:
    """(family name, given name) of a Chinese name written family name first, folded."""

    def fold(word: str) -> str:
        for pattern, replacement in _CHINESE_ROMANISATIONS:
            word = pattern.sub(replacement, word)
        return word

    return fold(words[0]), fold("".join(words[1:]))


def other_romanisations_of_a_chinese_name(ours: str, theirs: str) -> bool:
    """Whether two names are one Chinese name in pinyin and in Wade-Giles (Mao Zedong, Mao
    Tse-tung; Lu Xun, Lu Hsün). Folding them makes namesakes of other people too (Zhang and
    Chang are two family names in pinyin): a reviewer's to judge, never the same name."""
    a, b = _chinese_words(ours), _chinese_words(theirs)
    if a is None or b is None or "".join(a) == "".join(b):
        return False
    return _chinese_romanisation(a) == _chinese_romanisation(b)


# Spellings of one Korean sound in the Revised Romanization, McCune-Reischauer (breves folded)
# and the forms Korean authors' names take in English, folded to one: the family name 이 (Lee,
# Yi, Rhee), the vowels eo, o, u, ou, oo, eu (Seok, Sok; Yeong, Yong, Young; Jeong, Jung; Joo,
# Ju), oe and oi (Choe, Choi), g / k, d / t, b / p, j / ch (Gang, Kang; Bak, Pak, Park), sh / s
# (Shin, Sin), and the r of Park.
_KOREAN_ROMANISATIONS = (
    (re.compile(r"^(?:lee|yi|rhee|ri|i)$"), "I"),
    (re.compile(r"ch|j"), "J"),
    (re.compile(r"sh"), "s"),
    (re.compile(r"(?<=a)r(?=k$)"), ""),
    (re.compile(r"(?<!n)g"), "k"),
    (re.compile(r"d"), "t"),
    (re.compile(r"b"), "p"),
    (re.compile(r"oi"), "oe"),
    (re.compile(r"eo|ou|oo|eu|o|u"), "U"),
)


def _korean_words(key: str) -> list[str] | None:
    """A key's words when it is two, each a Korean name's (None otherwise)."""
    words = key.split()
    if len(words) != 2 or not all(_KOREAN_WORD.fullmatch(word) for word in words):
        return None
    return words


def other_romanisations_of_a_korean_name(ours: str, theirs: str) -> bool:
    """Whether two names (person_name_key's keys) are one Korean name in two romanisations, in
    either order (Hwang Sok-yong, Hwang Seok-yeong; Park Kyung-ni, Pak Kyong-ni). Folding them
    makes namesakes of other people too, as Chinese's do: a reviewer's to judge."""
    a, b = _korean_words(ours), _korean_words(theirs)
    if a is None or b is None or sorted(a) == sorted(b):
        return False

    def fold(word: str) -> str:
        for pattern, replacement in _KOREAN_ROMANISATIONS:
            word = pattern.sub(replacement, word)
        return word

    return sorted(map(fold, a)) == sorted(map(fold, b))


# Letters one romanisation writes and another leaves out, with the letter beside them that says
# so: the h of zh, ch, sh, kh (Solzhenitsyn / Solženicyn, Němeček / Nemecek), the c of the
# German tsch (Tschechow / Chekhov), the u of French gu and ou (Tourgueniev / Turgenev), the i of
# French ie (Tourgueniev) and of a final ii (Gorkii / Gorki: Gorkiy folded); and the
# a of a Slavic surname's feminine form, one family's name (Kasatkin / Kasatkina).
_ADDED_BY_ROMANISATIONS = (
    re.compile(r"(?<=[zcsk])h"),
    re.compile(r"c(?=h)"),
    re.compile(r"(?<=[go])u"),
    re.compile(r"i(?=e)"),
    re.compile(r"(?<=i)i$"),
    re.compile(r"(?<=in|ov|ev)a$"),
)


def differ_by_added_letters(ours: str, theirs: str) -> bool:
    """Whether two surnames (folded as author_names folds spellings) differ only by letters some
    romanisation writes and another does not: none in place of another (Goldstein, Goodstein),
    none added where no romanisation adds it (Johnson, Jonson)."""
    shorter, longer = sorted((ours, theirs), key=len)
    operations = Indel.editops(shorter, longer)
    if any(op.tag != "insert" for op in operations):
        return False  # a letter in place of another
    added = {op.dest_pos for op in operations}
    explained = {
        match.start() for pattern in _ADDED_BY_ROMANISATIONS for match in pattern.finditer(longer)
    }
    return added <= explained
