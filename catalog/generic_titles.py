"""Titles that name a kind of writing, not a book: "Poems", "Collected Stories", "Selected
Poems 1950-1970", "Œuvres complètes", "Gedichte", "Рассказы".

Libraries call them collective titles (a conventional collective title: Works, Selected works,
Poems, Short stories, Letters, Plays...): countless authors have a book of that name, so two
authors who share one have not shown that they are one person, nor has a provider's record that
lists one. A title is generic when every word of it is such a form (poems, stories, letters,
works...) or a word that only qualifies one (collected, selected, complete, new, other, and,
of, a year or a number), and at least one form is there: "Letters to a Young Poet" and "The
Stories of John Cheever" say more than a kind of writing, so they are titles of their own.
"""

import functools

from catalog import text


def _words(*lines: str) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


# The kinds of writing a collective title names, in the catalog's languages, written as
# text.normalize_text writes them (case and accents folded). Plurals, and the mass nouns: a
# singular ("Story", "Poem") is the title of many a book of its own.
_FORMS = _words(
    # English
    "poems poetry verse verses stories tales novels novellas novelettes plays dramas essays",
    "letters correspondence works writings prose sonnets lyrics ballads songs fables sermons",
    "speeches diaries journals notebooks memoirs fragments pieces sketches selections",
    "anthology omnibus miscellany papers",
    # French
    "poemes poesies oeuvres nouvelles contes lettres romans recits theatre ecrits",
    "essais correspondance textes chansons",
    # German
    "gedichte erzahlungen werke briefe romane novellen marchen schriften dramen aufsatze",
    "geschichten",
    # Spanish, Portuguese, Italian
    "poemas poesias cuentos contos cartas obras relatos novelas ensayos ensaios cronicas",
    "racconti poesie opere lettere romanzi novelle scritti",
    # Russian, Greek, Turkish
    "стихи стихотворения поэмы рассказы повести письма сочинения избранное романы сказки пьесы",
    "ποιηματα διηγηματα απαντα επιστολες",
    "siirler siirleri oykuler hikayeler mektuplar eserleri"
)  # fmt: skip
# Words that only say which of them, how many, or join two forms.
_QUALIFIERS = _words(
    # English
    "the a an and or of in collected selected complete new early late later last other more",
    "further best great classic favourite favorite uncollected unpublished posthumous minor",
    "major short shorter longer first second third final volume vol book books part edition",
    "one two three four five some few all every",
    # French
    "le la les l de des du d et ou choisies choisis completes complets nouvelles autres",
    "inedits premiers premieres derniers dernieres tome",
    # German
    "die der das den und oder samtliche gesammelte ausgewahlte neue fruhe spate andere band",
    # Spanish, Portuguese, Italian
    "el los las y e o del da do dos das completas completos escogidas escogidos selectas",
    "escolhidos escolhidas reunidos reunidas otros otras outros outras nuevos novos tutte tutti",
    "scelte scelti altri altre volumen",
    # Russian, Greek, Turkish
    "и в другие избранные собрание полное том томах",
    "τα και",
    "butun secme secilmis ve"
)  # fmt: skip


@functools.lru_cache(maxsize=8192)
def is_generic_title(title: str) -> bool:
    """Whether a title names only a kind of writing ("Collected Poems", "Short Stories",
    "Poésies", "Letters 1920-1940"): no evidence of whose book it is (see the module). Read
    as the catalog keys it (text.normalize_title: "Poems (Penguin Classics)" is "poems")."""
    words = text.normalize_title(title).split()
    named = [w for w in words if not w.isdigit()]
    return (
        bool(named)
        and all(w in _FORMS or w in _QUALIFIERS for w in named)
        and any(w in _FORMS for w in named)
    )
