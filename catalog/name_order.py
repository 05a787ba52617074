"""The order of a person's name's parts, as a library heading writes them and as they are read:
the surname's particles, a byname or a title of rank after the comma, a name in Chinese,
Japanese or Korean script family name first. Pure rules on words, shared by the import's
reading of author cells, the catalog's lookup key (catalog.text.normalize_person_name), author
matching and the names sent to providers (catalog.person_names)."""

import re

#: Words that begin a surname (`Le Guin`, `van der Kolk`, `de La Rochefoucauld`, `bin Laden`,
#: `St. Clair`), lower-cased: the import's reading of sort names and author matching both ask.
#: Not `al`: a given name too (`Al Franken, Janeane Garofalo` is two people).
SURNAME_PARTICLES = frozenset(
    {"bin", "da", "das", "de", "del", "della", "der", "des", "di", "do", "dos", "du", "el",
     "ibn", "la", "le", "les", "mac", "saint", "st", "st.", "ten", "ter", "van", "von", "zu"}
)  # fmt: skip


#: Words that begin a byname after a heading's comma (`Chrétien, de Troyes`, `Julian, of
#: Norwich`, `Thomas, à Kempis`): the surname particles, and the words of origin.
BYNAME_PARTICLES = SURNAME_PARTICLES | {"of", "à"}


def is_byname(name: str, after_comma: str) -> bool:
    """Whether what follows a name's comma is a byname that follows the name, as a library
    heading writes medieval and religious names (`Chrétien, de Troyes`, `Walther, von der
    Vogelweide`, `Marie, de France`, `Julian, of Norwich`, `Leonardo, da Vinci`), not given
    names that go before it: it begins with a particle written in lower case, where a given
    name is capitalised (`Jackson, La Toya`, `Morrison, Van`, `Shannon, Del`). A name written
    all in lower case says nothing either way and is read as a sort name."""
    words = after_comma.split()
    return (
        len(words) > 1
        and words[0].islower()
        and words[0].casefold() in BYNAME_PARTICLES
        and not name.islower()
    )


# Words no surname is, which Goodreads takes for one (`Inc., Apple`, `Review, Harvard Business`)
# and which end an organisation's name (`McKinsey & Company`, `Smith, Elder & Co.`). `Press` and
# `Church` are surnames (William H. Press, George M. Church), so a publisher's `Press` is not one
# of them; nor is `Co` without its full stop (Lily Co), only `Co.`. A government's bodies are
# organisations too (`Department of Health`, `Bureau of the Census`, `Home Office`), and so is
# a German partnership (`… GbR`).
#: Python's and PostgreSQL's regex alike (enrichment asks the database by it too).
ORGANISATION_WORDS_PATTERN = (
    r"inc|ltd|llc|co\.|corp|corporation|company|gmbh|publications|publishing|publishers|review"
    r"|magazine|institute|association|society|foundation|museum|university|staff|editors"
    r"|committee|organi[sz]ation|agency|ministry|academy|department|bureau|office|commission"
    r"|council|directorate|gbr"
)
_ORGANISATION_WORD = re.compile(rf"^(?:{ORGANISATION_WORDS_PATTERN})\.?$", re.IGNORECASE)


def is_organisation_word(word: str) -> bool:
    """`Inc.`, `Company`, `Magazine`: a word that names an organisation, never a person."""
    return bool(_ORGANISATION_WORD.match(word.strip()))


#: Ranks and offices a library heading writes after a person's name as a title (`Charles,
#: Prince of Wales`, `Mary, Queen of Scots`, `Ælfric, Abbot of Eynsham`), lower-cased. Each may
#: be a surname too (Stephen King, Audre Lord, Alexander Pope, Elizabeth Bishop, Harold Prince):
#: after a comma the word is a title only in a title's shape (is_title_of_rank).
TITLE_RANKS = frozenset(
    {"abbess", "abbot", "archbishop", "archduchess", "archduke", "baron", "baroness", "bishop",
     "caliph", "cardinal", "count", "countess", "czar", "dauphin", "duchess", "duke", "earl",
     "elector", "emir", "emperor", "empress", "infanta", "infante", "khan", "king", "lady",
     "landgrave", "lord", "margrave", "marchioness", "marquess", "marquis", "patriarch", "pope",
     "prince", "princess", "prior", "queen", "saint", "shah", "sultan", "tsar", "tsarina",
     "viscount", "viscountess"}
)  # fmt: skip
#: Titles of honour and nobility, lower-cased (with and without accents): a heading writes them
#: after the given names (`Doyle, Arthur Conan, Sir`, `Tolstoy, Leo, graf`, `Orczy, Emmuska Orczy,
#: Baroness`) and a credit may begin with one (`Sir Arthur Conan Doyle`, `Dame Edith Sitwell`).
#: Neither is part of the person's name as written nor of its key: one person, with or without.
HONOURS = frozenset(
    {"sir", "dame", "lord", "lady", "graf", "grafin", "gräfin", "baron", "baroness", "count",
     "countess", "comte", "comtesse", "freiherr", "freifrau", "conte", "contessa", "knyaz"}
)  # fmt: skip


def is_honour(word: str) -> bool:
    """`Sir`, `graf`, `Baroness`: a title of honour or nobility (HONOURS), no part of a name."""
    return word.strip(" .").casefold() in HONOURS


#: A rank and the word after it that make a title without an "of": `Elizabeth, Queen Mother`,
#: `Albert, Prince Consort`, `Anne, Princess Royal`.
TITLE_PAIRINGS = frozenset(
    {("queen", "mother"), ("prince", "consort"), ("queen", "consort"), ("king", "consort"),
     ("prince", "regent"), ("queen", "regent"), ("princess", "royal"), ("queen", "dowager"),
     ("empress", "dowager")}
)  # fmt: skip
#: Words before a rank that make it a title alone: `Charles V, Holy Roman Emperor`, `Olga,
#: Grand Duchess`, `Frederick, Crown Prince`.
RANK_QUALIFIERS = frozenset({"crown", "grand", "holy", "roman"})


def is_title_of_rank(after_comma: str) -> bool:
    """Whether what follows a name's comma is a title of rank, read after the name (`Charles,
    Prince of Wales`, `Elizabeth, Queen Mother`, `Marcus Aurelius, Emperor of Rome`), not given
    names (`King, Stephen`, `Lord, Audre`, `Prince, Harold`): a capitalised rank (TITLE_RANKS)
    followed by "of" or by its pairing's word (TITLE_PAIRINGS), or after a qualifier (`Holy
    Roman Emperor`). A rank alone or before a name is a given name's place: a surname."""
    words = after_comma.split()
    qualified = False
    while len(words) > 1 and words[0].casefold() in RANK_QUALIFIERS and words[0][:1].isupper():
        words, qualified = words[1:], True
    if not words or not words[0][:1].isupper() or words[0].casefold() not in TITLE_RANKS:
        return False
    if len(words) == 1:
        return qualified
    rank, after = words[0].casefold(), words[1].casefold()
    return after == "of" or (rank, after) in TITLE_PAIRINGS


# Degrees, doctors' titles and post-nominal letters a name may be written with (`Charles Mackay,
# LL.D.`, `Mark Hyman, M.D.`, `Brené Brown, PhD`, ISBNdb's `Nelson, Bob, Ph.D.`, Open Library's
# `Němeček, Jan RNDr.` and `Judith McFarlane DrPh  RN  FAAN`), lower-cased, without dots or spaces.
_DEGREES = frozenset(
    {"phd", "md", "lld", "dd", "dphil", "edd", "psyd", "dds", "dmd", "dvm", "mba", "msc", "bsc",
     "ma", "ba", "ms", "mph", "jd", "esq", "frs", "facs", "frcs", "rn", "lcsw", "dmin", "thd",
     "litt", "littd", "dlitt", "dc", "drph", "faan", "rndr", "mudr", "judr", "phdr"}
)  # fmt: skip
# Of those, the ones that are given names too, or initials written without dots (`Nguyễn, Thị
# Ba`, `Ma`, `Ms`): a degree only after a comma of its own, never as a name's last given name.
_GIVEN_NAMES_TOO = frozenset({"ma", "ba", "ms", "rn", "dd", "jd", "dc"})


def _degree_key(words: str) -> str:
    return words.replace(".", "").replace(" ", "").casefold()


def is_degree(after_comma: str) -> bool:
    """`LL.D.`, `Ph. D.`, `MD`: a degree written after a name's comma, no part of the name."""
    return _degree_key(after_comma) in _DEGREES


def is_degree_after_given_names(word: str) -> bool:
    """`RNDr.`, `PhD`: a degree written after the given names with no comma (`Němeček, Jan
    RNDr.`); not one that is a given name too (`Nguyễn, Thị Ba`: _GIVEN_NAMES_TOO)."""
    key = _degree_key(word)
    return key in _DEGREES and key not in _GIVEN_NAMES_TOO


#: Chinese, Japanese (kana too) and Korean script.
CJK_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# The scripts whose names put the family name first: Han, hiragana and Hangul. A name in
# katakana is a foreign one, given name first (`フランク ハーバート`, Frank Herbert).
_FAMILY_NAME_FIRST_SCRIPT = re.compile(
    r"[\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)


def is_family_name_first(family: str, given: str) -> bool:
    """Whether a family and a given name are read family name first, as Chinese, Japanese and
    Korean names are in their own script (`司馬` `遼太郎`, `さいとう` `たかを`, `한` `강`): the
    family name in Han, hiragana or Hangul, the given name in CJK script too."""
    return bool(_FAMILY_NAME_FIRST_SCRIPT.search(family) and CJK_SCRIPT.search(given))


def sort_name_turned_around(last: str, first: str) -> str:
    """A `Last, First` name's two parts in reading order: `Cortázar`, `Julio` -> `Julio
    Cortázar`; a byname stays after the name (is_byname: `Chrétien`, `de Troyes` -> `Chrétien
    de Troyes`), and so does a title, after its comma (is_title_of_rank: `Charles`, `Prince of
    Wales` -> `Charles, Prince of Wales`). A name in Chinese, Japanese or Korean script is
    written family name first, without a space (is_family_name_first: `司馬`, `遼太郎` ->
    `司馬遼太郎`; Korean too, `한`, `강` -> `한강`, as its spelling rules write a name)."""
    if is_family_name_first(last, first):
        return f"{last}{first}"
    if is_byname(last, first):
        return f"{last} {first}"
    if is_title_of_rank(first):
        return f"{last}, {first}"
    return f"{first} {last}"
