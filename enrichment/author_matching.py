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
it is someone else; two Open Library keys cap it at medium only, for Open Library holds one
person twice until it merges them: `ids_say_two_people`, reconciliation's rule too), and so
does a birth or death year that differs by more than one
(catalog.person_names.years_conflict, the catalog's rule for a heading's life years), or by more
than ten when either side's date says it is a guess, "c. 1200" (author_dates.years_conflict), or a
death on one side before the birth on the other (author_dates.died_before_born); an id
match whose names plainly disagree (both in Latin letters, nothing in common) is low too, as a
book's ISBN match is when its title disagrees.

Names are compared on one normal form (enrichment.author_names.person_name_key): "Last, First"
turned around, library headings' life dates and roles dropped ("Dostoyevsky, Fyodor,
1821-1881"), accents folded, Cyrillic and Greek transliterated (catalog.transliteration; against
Cyrillic, Serbian's Latin š, č, ž, đ read as the letters they write, "Kiš" as "Kish"), then
scored (`score_author_name`) tolerating initials, a middle name on one side only and the
spelling differences between romanisations ("Sergei" / "Sergey", "Dostoevsky" / "Dostojewski"),
but not a shared surname alone ("Ursula K. Le Guin" / "Charles Le Guin" score 1). Names that say
two generations of a family (catalog.text.NAME_GENERATIONS: "Alexandre Dumas père" / "Dumas,
Alexandre (fils)", Jr. / Sr., the Elder / the Younger, II / III) score 1 whatever else agrees,
over all of both people's names (`score_author_names`), and an id shared across them is
reviewed, never applied; a name that says no generation ("Alexandre Dumas") may be either. A
record its source says is no person (a Wikidata item of a pen name, a collective, a band, a
fictional character found by an id of ours) is low whatever else agrees.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from catalog import isbn as isbn_module
from catalog import text
from catalog.generic_titles import is_generic_title
from enrichment.author_candidates import AUTHOR_ID_LABELS
from enrichment.author_dates import died_before_born, years_conflict

# The name rules live in author_names; reconciliation and tests read them here too.
from enrichment.author_names import NAME_AGREES as NAME_AGREES
from enrichment.author_names import NAME_CLOSE as NAME_CLOSE
from enrichment.author_names import generations_differ as generations_differ
from enrichment.author_names import names_comparable
from enrichment.author_names import one_name_two_generations as one_name_two_generations
from enrichment.author_names import person_name_key as person_name_key
from enrichment.author_names import score_author_name as score_author_name
from enrichment.author_names import score_author_names as score_author_names
from enrichment.candidates import Candidate
from enrichment.matching import TIER_ORDER, TITLE_AGREES, BookQuery, Tier, score_title
from enrichment.providers.fields import author_id

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
    pen_names: tuple[str, ...] = ()  # the names the person wrote under (Wikidata's P742)


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


def _best_name(ours: AuthorQuery, record: AuthorRecordSummary) -> tuple[int, str, bool]:
    """The best name score over both sides' names (score_author_names), its reason, and
    whether any pair of names could be compared at all (both in Latin letters once
    transliterated)."""
    our_names = (ours.name, *ours.alternative_names)
    their_names = (record.name, *record.alternate_names)
    best, reason = score_author_names(our_names, their_names)
    return best, reason, names_comparable(our_names, their_names)


# --- ids, works, years ---------------------------------------------------------------------


def normalize_author_id(kind: str, value: str) -> str:
    """An author id as both sides compare it: "OL23919A", "Q42", "1234" ("" if none): the
    sources' own reading of ids (providers.fields.author_id), whatever its case."""
    return author_id(kind, (value or "").strip().upper())


#: Ids a source holds one person under several of, until it merges them: two of them do not say
#: two people. Open Library's import made "Michael Forwell" twice, 85 seconds apart (OL7305209A,
#: OL7305269A: its authors dump). Two Wikidata items, VIAF clusters, ISNIs do say two people.
DUPLICATED_ID_KINDS = frozenset({"openlibrary_author"})


def ids_say_two_people(ours: Mapping[str, str], theirs: Mapping[str, str]) -> bool:
    """Whether two people's ids (AUTHOR_ID_LABELS' kinds -> value) say they are two: ids of one
    kind that differ, of a kind no source holds one person under twice. Matching a record and
    reconciling two authors of ours both ask this."""
    return any(
        kind not in DUPLICATED_ID_KINDS
        and (a := normalize_author_id(kind, ours.get(kind, "")))
        and (b := normalize_author_id(kind, theirs.get(kind, "")))
        and a != b
        for kind in AUTHOR_ID_LABELS
    )


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
    # One side's death before the other's birth: each side knows only one of the two years.
    if died_before_born(
        ours.birth_year,
        record.death_year,
        approximate=ours.birth_year_approximate or record.death_year_approximate,
    ):
        conflicts.append(
            _("died %(died)s per the record, before %(born)s, our birth year: another person?")
            % {"died": record.death_year, "born": ours.birth_year}
        )
    if died_before_born(
        record.birth_year,
        ours.death_year,
        approximate=record.birth_year_approximate or ours.death_year_approximate,
    ):
        conflicts.append(
            _("born %(born)s per the record, after %(died)s, our death year: another person?")
            % {"born": record.birth_year, "died": ours.death_year}
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


def _agrees_only_as_a_pen_name(ours: AuthorQuery, record: AuthorRecordSummary) -> str:
    """The pen name of the record's person that our author's name agrees with, when none of the
    record's other names does ("" otherwise): `Richard Bachman` and Stephen King's record,
    found by that alias. George Orwell's own label is his pen name: his record is him."""
    if not record.pen_names:
        return ""
    our_names = (ours.name, *ours.alternative_names)
    pens = {pen.casefold() for pen in record.pen_names}
    # The name the source knows them by is theirs, a pen name or not (Orwell's label).
    own = [record.name, *(name for name in record.alternate_names if name.casefold() not in pens)]
    if score_author_names(our_names, own)[0] >= NAME_AGREES:
        return ""
    for pen in record.pen_names:
        if score_author_names(our_names, [pen])[0] >= NAME_AGREES:
            return pen
    return ""


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
        elif ids_say_two_people(ours.ids, record.ids):
            tier = _cap(tier, Tier.LOW)
            reasons.append(
                _("the record's ids are not ours (%(ids)s): kept for review") % {"ids": ids}
            )
        else:
            # Open Library holds one person under two keys until it merges them (reconcile
            # proposes such a pair): this record may be ours, but a reviewer says so.
            tier = _cap(tier, Tier.MEDIUM)
            reasons.append(
                _("the source may hold this person twice (%(ids)s): kept for review") % {"ids": ids}
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
    if pen_name := _agrees_only_as_a_pen_name(ours, record):
        # Richard Bachman is Stephen King's pen name: King's dates, bio and portrait are not the
        # pen name's, and King's ids on it would make the two authors one.
        tier = _cap(tier, Tier.LOW)
        reasons.append(
            _("'%(ours)s' is a pen name of %(person)s: kept for review")
            % {"ours": pen_name, "person": record.name}
        )
    if record.not_a_person:
        # A pen name's, a band's or a fictional character's item holding our id is no person:
        # its dates, gender and portrait are not our author's to apply.
        tier = _cap(tier, Tier.LOW)
        reasons.append(
            _("the record is no person (%(kind)s): kept for review") % {"kind": record.not_a_person}
        )
    return AuthorMatchScore(identifier, name, works, tier, reasons)
