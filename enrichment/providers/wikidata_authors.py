"""Wikidata's people as AuthorCandidates: the SPARQL queries and their parsing, and Wikimedia
Commons' licence of a photo. Pure: the requests are WikidataProvider's.

One query finds many people by their Open Library author id (P648), their Goodreads author id
(P2963), or a label (an exact label or alias of a human, the name as sources write it, with
the birth and death years checked by the parser), with `VALUES`. What each item is (P31) comes
too: an item found by an id may be no human (a pen name, a collective, a band, a fictional
character), which matching never takes for the person. Each person is one row: the
values a person has several of (VIAF ids, citizenships, photos) are joined with GROUP_CONCAT,
so a famous author with five VIAF ids and three photos does not multiply into dozens of rows.
Dates come with their precision (P569 / P570, best rank), so "1903" is not mistaken for
1 January 1903, and with their sourcing circumstances (P1480), so "circa 1200" is a guess.

A photo (P18) is a Commons file; its licence is a second, optional call (the Commons API's
`extmetadata`), `photo_licences`, cached like any answer. Until then a PhotoRef's licence is
unknown.
"""

import html
import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, unquote

from django.utils.translation import gettext_noop

from catalog.person_names import name_as_written
from catalog.transliteration import scripts_of
from enrichment.author_candidates import AuthorCandidate, PhotoLicence, PhotoRef
from enrichment.author_dates import APPROXIMATE_YEAR_TOLERANCE, years_conflict
from enrichment.author_photos import not_a_portrait, unfit_photo_shape
from enrichment.candidate_notes import note
from enrichment.providers import cache, fields

#: People per SPARQL query (as ISBNs per query for books: far below the 60 s query limit).
BATCH_SIZE = 50
#: Files per Commons API request (its limit for `titles` without a bot right).
COMMONS_BATCH_SIZE = 50
LABEL_LANGUAGES = "en,mul"
#: Photos are asked at this width: Commons scales any original (a 20 MB TIFF) to a JPEG or PNG.
PHOTO_WIDTH = 1000
#: A label search finds the people with that exact label or alias; more are not worth keeping.
MAX_PEOPLE_PER_LABEL = 5
SEPARATOR = "|"  # GROUP_CONCAT's; no id, date, country name or Commons file name holds one

#: The lookup kinds: the `VALUES` pattern that finds the people, by what is asked.
MATCH_BY = {
    "openlibrary": "VALUES ?asked { %(values)s } ?item wdt:P648 ?asked .",
    "goodreads": "VALUES ?asked { %(values)s } ?item wdt:P2963 ?asked .",
    # Humans (P31 Q5) whose label or alias is the name, in any of the languages sent.
    "label": "VALUES ?asked { %(values)s } ?item rdfs:label|skos:altLabel ?asked ; wdt:P31 wd:Q5 .",
}
QUERY = """
SELECT ?asked ?item (SAMPLE(?itemLabel) AS ?label) (SAMPLE(?itemDescription) AS ?description)
  (GROUP_CONCAT(DISTINCT ?birthValue; separator="|") AS ?births)
  (GROUP_CONCAT(DISTINCT ?deathValue; separator="|") AS ?deaths)
  (GROUP_CONCAT(DISTINCT ?genderLabel; separator="|") AS ?genders)
  (GROUP_CONCAT(DISTINCT ?citizenshipLabel; separator="|") AS ?citizenships)
  (GROUP_CONCAT(DISTINCT STR(?image); separator="|") AS ?images)
  (GROUP_CONCAT(DISTINCT ?viaf; separator="|") AS ?viafs)
  (GROUP_CONCAT(DISTINCT ?isni; separator="|") AS ?isnis)
  (GROUP_CONCAT(DISTINCT ?olid; separator="|") AS ?olids)
  (GROUP_CONCAT(DISTINCT ?goodreads; separator="|") AS ?goodreadsIds)
  (GROUP_CONCAT(DISTINCT ?nativeName; separator="|") AS ?nativeNames)
  (GROUP_CONCAT(DISTINCT ?penName; separator="|") AS ?penNames)
  (GROUP_CONCAT(DISTINCT STR(?kind); separator="|") AS ?kinds)
  (GROUP_CONCAT(DISTINCT ?kindLabel; separator="|") AS ?kindLabels)
WHERE {
  %(match)s
  OPTIONAL {
    ?item p:P569 ?birthStatement . ?birthStatement a wikibase:BestRank ; psv:P569 ?birthNode .
    ?birthNode wikibase:timeValue ?birthTime ; wikibase:timePrecision ?birthPrecision .
    OPTIONAL { ?birthStatement pq:P1480 ?birthCircumstance . }
    BIND(CONCAT(STR(?birthTime), "/", STR(?birthPrecision),
                IF(BOUND(?birthCircumstance), CONCAT("/", STR(?birthCircumstance)), ""))
         AS ?birthValue)
  }
  OPTIONAL {
    ?item p:P570 ?deathStatement . ?deathStatement a wikibase:BestRank ; psv:P570 ?deathNode .
    ?deathNode wikibase:timeValue ?deathTime ; wikibase:timePrecision ?deathPrecision .
    OPTIONAL { ?deathStatement pq:P1480 ?deathCircumstance . }
    BIND(CONCAT(STR(?deathTime), "/", STR(?deathPrecision),
                IF(BOUND(?deathCircumstance), CONCAT("/", STR(?deathCircumstance)), ""))
         AS ?deathValue)
  }
  OPTIONAL { ?item wdt:P21 ?gender . }
  OPTIONAL { ?item wdt:P27 ?citizenship . }
  OPTIONAL { ?item wdt:P18 ?image . }
  OPTIONAL { ?item wdt:P214 ?viaf . }
  OPTIONAL { ?item wdt:P213 ?isni . }
  OPTIONAL { ?item wdt:P648 ?olid . }
  OPTIONAL { ?item wdt:P2963 ?goodreads . }
  OPTIONAL { ?item wdt:P1559 ?nativeName . }
  OPTIONAL { ?item wdt:P742 ?penName . }
  OPTIONAL { ?item wdt:P31 ?kind . }
  SERVICE wikibase:label {
    bd:serviceParam wikibase:language "%(languages)s" .
    ?item rdfs:label ?itemLabel ; schema:description ?itemDescription .
    ?gender rdfs:label ?genderLabel .
    ?citizenship rdfs:label ?citizenshipLabel .
    ?kind rdfs:label ?kindLabel .
  }
}
GROUP BY ?asked ?item
"""
_ENTITY_ID = re.compile(r"Q[1-9]\d*")
#: Wikidata's "human" (P31): an item found by an id that is not one is a pen name, a collective,
#: a band, a fictional character… (the label search asks for humans only).
HUMAN = "Q5"
_HTML_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class LabelQuery:
    """A person to find by name, with the birth and death years to check when we know them."""

    name: str
    birth_year: int | None = None
    death_year: int | None = None
    # Our date says its year is a guess ("c. 1200": author_dates.life_date): checked as one.
    birth_year_approximate: bool = False
    death_year_approximate: bool = False

    @property
    def key(self) -> str:
        """The lookup (and cache) key: the same name and years are the same question; a guessed
        year ("~") checks the people found otherwise than an exact one."""
        key = f"wikidata-label:{clean_name(self.name)}|{self.birth_year or ''}"
        if self.birth_year and self.birth_year_approximate:
            key += "~"
        if self.death_year:
            key += f"|{self.death_year}{'~' if self.death_year_approximate else ''}"
        return cache.fit_key(key)


def clean_name(name: str) -> str:
    """A name as sent in a label search: as sources write it (a library heading's dates
    dropped, `Last, First` turned around: catalog.person_names.name_as_written), trimmed, single
    spaces (labels are matched exactly)."""
    return _SPACES.sub(" ", name_as_written(fields.text(name))).strip()


def sparql_string(value: str, language: str = "") -> str:
    """`value` as a SPARQL string literal, quotes and backslashes escaped (names come from
    imported files: none may end the literal and add to the query)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", " ").replace("\r", " ")
    return f'"{escaped}"@{language}' if language else f'"{escaped}"'


#: Letters the catalog does not transliterate -> the label languages a name in them is searched
#: in (Han letters alone may be Japanese or Chinese; with kana, Japanese only).
_SCRIPT_LANGUAGES = (
    (re.compile(r"[\u3040-\u30ff\uff66-\uff9f]"), ("ja",)),  # hiragana, katakana
    (re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"), ("ko",)),  # hangul
    (re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]"), ("ja", "zh")),  # Han
    (re.compile(r"[\u0600-\u06ff\u0750-\u077f]"), ("ar", "fa")),  # Arabic letters
    (re.compile(r"[\u0590-\u05ff]"), ("he",)),
)


def label_languages(name: str) -> list[str]:
    """The label languages a name is searched in: English and "mul" (the language-neutral
    label), Russian / Greek for a name in Cyrillic / Greek letters, and the languages of the
    scripts that are not transliterated: `フランク・ハーバート` is a Japanese label, never an
    English one."""
    scripts = scripts_of(name)  # the catalog's rule of which letters are Cyrillic or Greek
    languages = ["en", "mul"]
    if "cyrillic" in scripts:
        languages.append("ru")
    if "greek" in scripts:
        languages.append("el")
    for letters, script_languages in _SCRIPT_LANGUAGES:
        if letters.search(name):
            languages += [lang for lang in script_languages if lang not in languages]
            if "ja" in languages or "ko" in languages:
                break  # kana or hangul beside Han letters: not Chinese
    return languages


def build_query(kind: str, values: list[str]) -> str:
    """The SPARQL query for a batch: ids (kind "openlibrary" / "goodreads") or names ("label")."""
    if kind == "label":
        literals = [
            sparql_string(value, lang) for value in values for lang in label_languages(value)
        ]
    else:
        literals = [sparql_string(value) for value in values]
    match = MATCH_BY[kind] % {"values": " ".join(literals)}
    return QUERY % {"match": match, "languages": LABEL_LANGUAGES}


def _value(row: dict, var: str) -> str:
    cell = row.get(var)
    return fields.text(cell.get("value")) if isinstance(cell, dict) else ""


def _values(row: dict, var: str) -> list[str]:
    return [value for value in _value(row, var).split(SEPARATOR) if value.strip()]


def _labels(row: dict, var: str) -> list[str]:
    """Labels, without the bare ids the label service answers for items with no label in our
    languages."""
    return fields.unique(label for label in _values(row, var) if not _ENTITY_ID.fullmatch(label))


#: Sourcing circumstances (P1480) that say a date is a guess: circa, near, approximately,
#: estimate, presumably, possibly, probably (Wikidata's Property:P1480 values).
GUESS_CIRCUMSTANCES = frozenset(
    {"Q5727902", "Q21818619", "Q60070514", "Q37113960", "Q18122778", "Q30230067", "Q56644435"}
)


def wikidata_time(value: str) -> tuple[int | None, str]:
    """ "1903-06-25T00:00:00Z/11" (a time value and its precision) -> (1903, "1903-06-25");
    precision 10 gives "1903-06", 9 the year alone; coarser ones (a decade, a century) no year.
    Years before the common era are negative, the year alone: WDQS writes them as XSD 1.1 does,
    1 BCE as year 0 ("The dates follow XSD 1.1 standard, i.e. 1 BCE is year 0", Wikidata's
    Help:Dates), so "-0383-01-01T00:00:00Z/9" is Aristotle's 384 BC: (-384, "384 BC")."""
    time, _, precision_and_circumstance = value.partition("/")
    precision_text = precision_and_circumstance.partition("/")[0]
    match = re.match(r"^([+-]?)(\d{1,16})-(\d\d)-(\d\d)", time.strip())
    precision = fields.positive_int(precision_text) or 0
    if match is None or precision < 9:
        return None, ""
    sign, year_text, month, day = match.groups()
    year = int(year_text) * (-1 if sign == "-" else 1)
    if year > 9999 or year < -9998:
        return None, ""
    if year <= 0:
        return year - 1, f"{1 - year} BC"  # stored as Open Library writes it, in no one's language
    date = str(year)
    if precision >= 10:
        date += f"-{month}"
    if precision >= 11:
        date += f"-{day}"
    return year, date


def wikidata_time_is_guess(value: str) -> bool:
    """Whether a time value's statement says it is a guess: "1200-01-01T00:00:00Z/9/
    http://www.wikidata.org/entity/Q5727902" is circa 1200 (GUESS_CIRCUMSTANCES)."""
    circumstance = value.split("/", 2)[2] if value.count("/") >= 2 else ""
    return fields.author_id("wikidata", circumstance) in GUESS_CIRCUMSTANCES


def _life_date(values: list[str]) -> tuple[int | None, str, bool]:
    """The first precise date of those given (a person rarely has two of best rank), and
    whether a statement of that year says it is a guess ("circa": one value per sourcing
    circumstance). Dates of best rank in two years (a birth put in 1648 and in 1651) say no
    one year: none (life_years_given says which)."""
    dated = [(wikidata_time(value), value) for value in values]
    if len(life_years_given(values)) > 1:
        return None, "", False
    year, date = next(((y, d) for (y, d), _ in dated if y is not None), (None, ""))
    guess = any(y == year and wikidata_time_is_guess(value) for (y, _), value in dated)
    return year, date, year is not None and guess


def life_years_given(values: list[str]) -> list[int]:
    """The years of a person's precise birth (or death) dates of best rank, each once."""
    return list(dict.fromkeys(y for y, _ in map(wikidata_time, values) if y is not None))


def commons_file_name(image: str) -> str:
    """ "http://commons.wikimedia.org/wiki/Special:FilePath/George%20Orwell.jpg" ->
    "George Orwell.jpg"; "" for anything that is no Commons file path."""
    if "/Special:FilePath/" not in image:
        return ""
    return unquote(image.rsplit("/Special:FilePath/", 1)[1]).replace("_", " ").strip()


def photo_ref(file_name: str, *, commons_url: str, provider: str) -> PhotoRef:
    """A Commons file as a photo: its FilePath URL (which redirects to the original) and its
    description page, where the licence is stated; the licence itself unknown for now."""
    title = quote(file_name.replace(" ", "_"))
    return PhotoRef(
        provider=provider,
        url=f"{commons_url}/wiki/Special:FilePath/{title}?width={PHOTO_WIDTH}",
        photo_id=file_name,
        source_page=f"{commons_url}/wiki/File:{title}",
    )


def author_candidate(row: dict, *, provider: str, commons_url: str) -> AuthorCandidate:
    """One person's row of the answer -> AuthorCandidate."""
    qid = fields.author_id("wikidata", _value(row, "item"))
    name = _value(row, "label")
    if _ENTITY_ID.fullmatch(name):
        name = ""  # no label in our languages
    birth_year, birth_date, birth_guess = _life_date(_values(row, "births"))
    death_year, death_date, death_guess = _life_date(_values(row, "deaths"))
    ids = {
        "wikidata": qid,
        "openlibrary_author": next(iter(_ids(row, "olids", "openlibrary_author")), ""),
        "goodreads_author": next(iter(_ids(row, "goodreadsIds", "goodreads_author")), ""),
        "viaf": next(iter(_ids(row, "viafs", "viaf")), ""),
        "isni": next(iter(_ids(row, "isnis", "isni")), ""),
    }
    # A label search asks in language-tagged literals: the label or alias it found them by is
    # one of their names (`フランク・ハーバート`, where their English label is Frank Herbert).
    asked = row.get("asked")
    found_by = [_value(row, "asked")] if isinstance(asked, dict) and asked.get("xml:lang") else []
    candidate = AuthorCandidate(
        provider=provider,
        provider_ids={kind: value for kind, value in ids.items() if value},
        name=name,
        alternate_names=[
            other
            for other in fields.unique([*found_by, *_labels(row, "nativeNames")])
            if other.casefold() != name.casefold()
        ],
        birth_year=birth_year,
        birth_date=birth_date,
        death_year=death_year,
        death_date=death_date,
        birth_year_approximate=birth_guess,
        death_year_approximate=death_guess,
        pen_names=fields.unique(_values(row, "penNames")),
        gender=next(iter(_labels(row, "genders")), ""),
        citizenship=_labels(row, "citizenships"),
        description=_value(row, "description"),
        source_url=f"https://www.wikidata.org/wiki/{qid}" if qid else "",
    )
    for file_name in dict.fromkeys(map(commons_file_name, _values(row, "images"))):
        if not file_name:
            continue
        if shows := not_a_portrait(file_name, name):  # P18 holding a signature, a grave, a house
            candidate.notes.append(
                note(
                    gettext_noop(
                        "Wikidata's image %(file)s is %(shows)s, not a portrait: not proposed."
                    ),
                    file=file_name,
                    shows=note(shows),
                )
            )
            continue
        candidate.photos.append(photo_ref(file_name, commons_url=commons_url, provider=provider))
    for which, values in (("birth", _values(row, "births")), ("death", _values(row, "deaths"))):
        if len(years := life_years_given(values)) > 1:
            candidate.notes.append(
                note(
                    gettext_noop("Wikidata gives the %(which)s in %(years)s: no year is read."),
                    which=note(
                        gettext_noop("birth") if which == "birth" else gettext_noop("death")
                    ),
                    years=", ".join(map(str, years)),
                )
            )
    kinds = _ids(row, "kinds", "wikidata")
    if kinds and HUMAN not in kinds:  # an item that says nothing of its kind may be a person
        candidate.not_a_person = ", ".join(_labels(row, "kindLabels")) or ", ".join(kinds)
    for var, kind in (("olids", "openlibrary_author"), ("viafs", "viaf"), ("isnis", "isni")):
        others = _ids(row, var, kind)[1:]
        if others:  # Wikidata holds several (duplicate records elsewhere): the first is kept
            candidate.notes.append(
                note(
                    gettext_noop("Wikidata also lists %(kind)s %(ids)s."),
                    kind=kind,
                    ids=", ".join(others),
                )
            )
    return candidate


def _ids(row: dict, var: str, kind: str) -> list[str]:
    return list(dict.fromkeys(i for v in _values(row, var) if (i := fields.author_id(kind, v))))


def rows_by_asked(body: Any, asked: list[str]) -> dict[str, list[dict]]:
    """A SPARQL answer -> its rows by the value asked (an id, or a name in any language)."""
    fields.expect(body, dict, "SPARQL answer")
    bindings = fields.expect((body.get("results") or {}).get("bindings"), list, "bindings")
    wanted = set(asked)
    rows: dict[str, list[dict]] = {}
    for row in bindings:
        value = _value(fields.expect(row, dict, "binding"), "asked")
        if value in wanted:
            rows.setdefault(value, []).append(row)
    return rows


def people(rows: Any, *, provider: str, commons_url: str) -> list[AuthorCandidate]:
    """The rows asked for one id or name -> one candidate per person (rows for the same
    person, found through two label languages, are one)."""
    by_item: dict[str, dict] = {}
    for row in fields.expect(rows, list, "rows"):
        by_item.setdefault(_value(row, "item"), row)
    return [
        author_candidate(row, provider=provider, commons_url=commons_url)
        for row in by_item.values()
    ]


def check_life_years(
    candidates: list[AuthorCandidate],
    birth_year: int | None,
    death_year: int | None = None,
    *,
    birth_year_approximate: bool = False,
    death_year_approximate: bool = False,
) -> list[AuthorCandidate]:
    """A label search's people, checked against the birth and death years we know: those born
    or dead in another year (author_dates.years_conflict: by more than ten when either year is a
    guess, ours "c. 1200" or Wikidata's "circa") are dropped; those whose year Wikidata lacks are
    kept with a note saying it was not checked, as are all when we know no year. At most
    MAX_PEOPLE_PER_LABEL."""
    kept = []
    for candidate in candidates:
        checks = (
            (
                birth_year,
                candidate.birth_year,
                birth_year_approximate or candidate.birth_year_approximate,
                gettext_noop("Found by name; born in %(year)s, as ours."),
                gettext_noop(
                    "Found by name; born in %(year)s, ours %(ours)s: a guessed year, taken as"
                    " the same person's within %(tolerance)s years."
                ),
                gettext_noop(
                    "Found by name; Wikidata has no birth year to check against %(year)s."
                ),
            ),
            (
                death_year,
                candidate.death_year,
                death_year_approximate or candidate.death_year_approximate,
                gettext_noop("Found by name; died in %(year)s, as ours."),
                gettext_noop(
                    "Found by name; died in %(year)s, ours %(ours)s: a guessed year, taken as"
                    " the same person's within %(tolerance)s years."
                ),
                gettext_noop(
                    "Found by name; Wikidata has no death year to check against %(year)s."
                ),
            ),
        )
        if any(
            years_conflict(ours, theirs, approximate=guess)
            for ours, theirs, guess, *_messages in checks
        ):
            continue
        if birth_year is None and death_year is None:
            candidate.notes.append(
                note(gettext_noop("Found by name alone: no birth year to check it against."))
            )
        for ours, theirs, guess, agrees, agrees_as_a_guess, unknown in checks:
            if ours is None:
                continue
            if theirs is None:
                candidate.notes.append(note(unknown, year=ours))
            elif guess:
                candidate.notes.append(
                    note(
                        agrees_as_a_guess,
                        year=theirs,
                        ours=ours,
                        tolerance=APPROXIMATE_YEAR_TOLERANCE,
                    )
                )
            else:
                candidate.notes.append(note(agrees, year=theirs))
        kept.append(candidate)
    return kept[:MAX_PEOPLE_PER_LABEL]


# --- Wikimedia Commons: a photo's licence ---------------------------------------------------------


def commons_pages_by_file(body: Any, file_names: list[str]) -> dict[str, dict]:
    """A Commons API answer (`prop=imageinfo`, formatversion 2) -> its page for each asked file
    name found (titles come back normalized: "File:George_Orwell.jpg" -> "File:George Orwell.jpg").
    A missing file is absent."""
    fields.expect(body, dict, "Commons answer")
    query = fields.expect(body.get("query") or {}, dict, "Commons query")
    renamed = {
        fields.text(entry.get("from")): fields.text(entry.get("to"))
        for entry in fields.expect(query.get("normalized") or [], list, "normalized titles")
        if isinstance(entry, dict)
    }
    pages = {
        fields.text(page.get("title")): page
        for page in fields.expect(query.get("pages") or [], list, "Commons pages")
        if isinstance(page, dict) and not page.get("missing") and page.get("imageinfo")
    }
    found = {}
    for file_name in file_names:
        title = f"File:{file_name}"
        page = pages.get(renamed.get(title, title))
        if page is not None:
            found[file_name] = page
    return found


def _plain(value: Any) -> str:
    """An extmetadata value (HTML: "<a href=…>Cassowary Colorizations</a>") as plain text."""
    return _SPACES.sub(" ", html.unescape(_HTML_TAG.sub(" ", fields.text(value)))).strip()


def photo_licence(file_name: str, page: Any) -> PhotoLicence:
    """One file's Commons page -> where its original is and under which licence."""
    fields.expect(page, dict, "Commons page")
    info = fields.expect(page.get("imageinfo"), list, "imageinfo")[0]
    metadata = info.get("extmetadata") or {}

    def meta(name: str) -> str:
        entry = metadata.get(name)
        return _plain(entry.get("value")) if isinstance(entry, dict) else ""

    return PhotoLicence(
        file_name=file_name,
        url=fields.text(info.get("url")),
        source_page=fields.text(info.get("descriptionurl")),
        licence=meta("LicenseShortName") or meta("UsageTerms"),
        licence_url=meta("LicenseUrl"),
        artist=meta("Artist"),
        width=fields.positive_int(info.get("width")),
        height=fields.positive_int(info.get("height")),
    )


def with_photo_licences(
    candidate: AuthorCandidate, licences: dict[str, PhotoLicence]
) -> AuthorCandidate:
    """The candidate's Commons photos with the licence and the size Commons states (by file
    name); a photo whose licence is not known keeps it unknown. A photo whose size says it is
    no portrait (author_photos.unfit_photo_shape: a group photo, a banner) is not proposed,
    and the candidate's notes say so."""
    photos = []
    for photo in candidate.photos:
        known = licences.get(photo.photo_id)
        if known is not None:
            if shows := unfit_photo_shape(known.width, known.height):
                candidate.notes.append(
                    note(
                        gettext_noop(
                            "Wikidata's image %(file)s is %(width)s×%(height)s pixels, %(shows)s,"
                            " not a portrait: not proposed."
                        ),
                        file=photo.photo_id,
                        width=known.width,
                        height=known.height,
                        shows=note(shows),
                    )
                )
                continue
            photo = replace(photo, width=known.width, height=known.height)
        if known is not None and known.licence:
            photo = replace(
                photo,
                licence=known.licence,
                licence_url=known.licence_url,
                artist=known.artist,
                source_page=known.source_page or photo.source_page,
            )
        photos.append(photo)
    candidate.photos = photos
    return candidate
