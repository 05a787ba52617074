"""Readers of single cells that several sources share (pure): lists of people, Open Library
keys, series cells (years inside dates: year_cells.py). The Goodreads-era readers (titles, ISBNs,
numbers, dates, bindings) are in parsing.py and readers.py."""

import re

from catalog.importers.base import Credit, NormalizedRow
from catalog.importers.cjk_credits import HANGUL, japanese_credit, korean_credit, without_readings
from catalog.importers.name_joins import (
    CONJUNCTIONS,
    SURNAME_AGAIN,
    joined_inside_names,
    with_shared_surnames,
)
from catalog.importers.parsing import (
    PLURAL_ROLES,
    ROLES,
    NamedRole,
    read_credit_phrase,
    read_leading_role,
    read_trailing_role,
)
from catalog.name_order import (
    CJK_SCRIPT,
    SURNAME_PARTICLES,
    is_degree,
    is_honour,
    is_title_of_rank,
    sort_name_turned_around,
)
from catalog.person_names import (
    FULLER_FORM,
    heading_segments,
    is_organisation_heading,
    is_organisation_turned_around,
    is_sort_name,
    peers_given_names,
    split_life_dates,
)
from catalog.text import is_name_suffix

# Between people in one cell: `;`, `|`, ` & ` (calibre), ` and `, and `and` in other languages
# (CONJUNCTIONS). A comma is ambiguous (`Le Guin, Ursula K.` is one person), so split_people
# reads it separately; so is a ` & ` or a conjunction that may be inside one name (`Simon &
# Schuster`, `José Ortega y Gasset`: name_joins.joined_inside_names).
# Between names in Chinese, Japanese or Korean script, a `/` or an `&` with no space round it
# separates them too, as Douban lists translators (`柳鸣九/刘方/丁世中`, `王婧&叶明燕`).
_CJK_JOIN = rf"(?<={CJK_SCRIPT.pattern})\s*[/&／＆]\s*(?={CJK_SCRIPT.pattern})"
_PEOPLE_SEPARATORS = re.compile(
    rf"\s*(?:;|\||\s&\s|\sand\s|(?-i:\s(?:{'|'.join(CONJUNCTIONS)})\s)|{_CJK_JOIN})\s*",
    re.IGNORECASE,
)
# The same, kept, to put back a separator inside a parenthesis: `(Edited by A and B)`.
_KEPT_SEPARATORS = re.compile(f"({_PEOPLE_SEPARATORS.pattern})", re.IGNORECASE)
# ` & ` alone, kept, for cells whose other separators their format reads (LibraryThing's).
_KEPT_AMPERSANDS = re.compile(r"(\s+&\s+)")
# A comma with no space after it separates people, as the Bookshelf and BookBuddy apps join
# names (`Abigail Blackman,Mokumokuren`, `Tabuchi, Etsuko,Weitschies, Florian`); the comma of a
# sort name has a space after it.
_BARE_COMMA = re.compile(r",(?=[^\s,])")
# A tail crediting the people a cell leaves unnamed, as catalogs shorten a long list: `and many
# others`, `et al.`, `[and others]`, `u.a.` (German), `и др.` (Russian). It credits no one.
_OTHERS_TAIL = re.compile(
    r"(?:^|[\s,;]+)(?:\.\.\.|…)?\s*\[?\s*(?:(?:and|&)\s+(?:many\s+|\d+\s+)?others|et\.?\s*al(?:ii|ia)?\.?"
    r"|&\s*al\.|u\.\s?a\.?|und\s+andere|и\s+др\.?)\s*\]?\s*$",
    re.IGNORECASE,
)
# The tail is short: it is looked for in a cell's last characters only, and only where they
# hold one of its words (a cheap test first: nearly every cell has none).
_OTHERS_TAIL_REACH = 24
# A title before a regnal name, which sorts by that name: `John Paul II, Pope`.
_REGNAL_TITLES = {"pope", "papa", "king", "queen", "emperor", "empress", "tsar", "czar"}
_ROMAN_NUMERAL = re.compile(r"^(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})$")
# A catalog's note that a work is only attributed to the person, between the heading's name and
# its dates (Project Gutenberg's `Shakespeare (spurious and doubtful works), 1564-1616`): no
# part of the name.
_ATTRIBUTED_WORKS = re.compile(r"\s*\((?:spurious and )?doubtful works\)", re.IGNORECASE)
# A relator term after a heading: `[Translator]`.
_BRACKETED_ROLE = re.compile(r"\s*\[(?P<role>[^\[\]]+)\]\s*$")
_OPENLIBRARY_KEY = re.compile(r"\bOL\d+[AMW]\b", re.IGNORECASE)
# `Discworld #3`, `Discworld, #3`, `Discworld (3)`, `Discworld, Book 3`, `Discworld vol. 3`
_SERIES_CELL = re.compile(
    r"^(?P<name>.+?)(?:[\s,;(]+(?:#|no\.|nr\.|vol\.|volume|book|tome|band|tomo)?\s*|\s*#\s*)"
    r"(?P<number>\d+(?:\.\d+)?(?:\s*-\s*\d+(?:\.\d+)?)?)\s*\)?$",
    re.IGNORECASE,
)


def set_primary_series(row: NormalizedRow, name: str, number: str) -> None:
    """A series named in a column of its own is the primary one; one the title also named
    (`Title (Saga, #2)`) is not repeated."""
    name = name.strip()
    if not name:
        return
    others = [(n, v) for n, v in row.series_entries if n.casefold() != name.casefold()]
    row.series_entries = [(name, number), *others]
    row.series, row.series_number = name, number


# Between a title written again in a subtitle cell and the subtitle: `Title: Subtitle`.
_AFTER_TITLE = re.compile(r"^\s*(?:[:;,.]|\s[-–—])\s*")
_LAST_PARENTHESIS = re.compile(r"\s*\((?P<inside>[^()]*)\)\s*$")


def set_subtitle_cell(row: NormalizedRow, value: str) -> None:
    """A subtitle column's cell, which says more than the title cell's own `Title: Subtitle`.
    A cell that writes the title again, as the Bookshelf app's does (`Chain of Thorns` for
    `Chain of Thorns`, `Lady Midnight (the Dark Artifices)`, `… Bree Tanner: An Eclipse
    Novella (the Twilight Saga)`), gives what follows the title, without a parenthesis naming
    one of the row's series; a rest that is no subtitle (`Title [apr 30, 2018] Green, Sally`)
    keeps the cell as it is. Call it once the row's series are read."""
    value = value.strip()
    title = row.title.strip()
    if not title or value[: len(title)].casefold() != title.casefold():
        row.subtitle = value or row.subtitle
        return
    rest = value[len(title) :]
    last = _LAST_PARENTHESIS.search(rest)
    if last and _names_a_series(last["inside"], row.series_entries):
        rest = rest[: last.start()]
    if not rest.strip():
        return  # the title alone again, which says nothing the title cell did not
    separator = _AFTER_TITLE.match(rest)
    row.subtitle = (rest[separator.end() :].strip() if separator else value) or row.subtitle


def _names_a_series(inside: str, series_entries: list[tuple[str, str]]) -> bool:
    inside = inside.strip().casefold()
    return any(
        name.casefold() in inside or inside in name.casefold() for name, _n in series_entries
    )


def parse_series_cells(value: str) -> list[tuple[str, str]]:
    """Every series of a cell that lists several, `|` between them, as the Book Catalogue app
    writes them (`Calvin and Hobbes (6)|Calvin et Hobbes (9)`), each read by
    `parse_series_cell`: the first is the primary one."""
    entries = [parse_series_cell(part) for part in (value or "").split("|")]
    return [(name, number) for name, number in entries if name]


def parse_series_cell(value: str) -> tuple[str, str]:
    """`Discworld #3`, `Discworld, #3`, `Discworld (3)` -> ("Discworld", "3"); a name alone
    has no number."""
    value = (value or "").strip()
    match = _SERIES_CELL.match(value)
    if match and match["name"].strip(" ,;(#"):
        return match["name"].strip(" ,;(#"), re.sub(r"\s+", "", match["number"])
    return value, ""


def is_surname_particle(word: str) -> bool:
    """`de`, `Van`, `St.`: a word that may begin a surname (`Le Guin`, `van der Kolk`)."""
    return word.casefold() in SURNAME_PARTICLES


def person_from_sort_name(name: str, *, role: str = "author") -> Credit:
    """`Cortázar, Julio` -> Julio Cortázar (sort name `Cortázar, Julio`), `司馬, 遼太郎` ->
    司馬遼太郎 (catalog.name_order.sort_name_turned_around); `Martin Luther King, Jr.` and names
    without a comma stay as written. A library heading is one person: its life
    dates are their years, not their name (`Dumas, Alexandre, 1802-1870`: born 1802, died
    1870), a generation word stays last (`Smith, Joseph, Jr., 1805-1844`, `King, Martin
    Luther, Jr.`), a title and the fuller form of initials are left out (`Doyle, Arthur Conan,
    Sir, 1859-1930`, `Eliot, T. S. (Thomas Stearns), 1888-1965`, `Marcus Aurelius, Emperor of
    Rome, 121-180`). An organisation's heading is no person's and stays as written (`Smith,
    Elder & Co.`, `Aero-Metric Engineering, Inc.`: catalog.person_names.is_organisation_heading),
    unless it was turned at its last word (`Inc., Apple` -> `Apple Inc.`)."""
    name = name.strip().strip(",").strip()
    heading = split_life_dates(name)
    if heading.dated or _is_undated_heading(name):
        credit = _heading_credit(heading_segments(heading.name), role)
        credit.birth_year, credit.death_year = heading.exact_years
        return credit
    segments = heading_segments(name) if "," in name else [name]
    if len(segments) == 2:
        last, first = segments
        if last and first and not is_name_suffix(first):
            if is_organisation_heading(last, first) and not is_organisation_turned_around(
                last, first
            ):
                return Credit(name=name, role=role)  # `Smith, Elder & Co.`: no person's
            # `Chrétien, de Troyes` in order; `Inc., Apple` and `Health, Department of`, turned
            # at their last word, too.
            name = sort_name_turned_around(last, first)
            return Credit(name=name, role=role, sort_name=f"{last}, {first}")
    return Credit(name=name, role=role)


def _is_undated_heading(name: str) -> bool:
    """`King, Martin Luther, Jr.`, `Mandeville, John, Sir`, `Tolstoy, Leo, graf`: a sort name
    and a generation word or a title of honour (catalog.name_order.HONOURS), one person."""
    segments = heading_segments(name)
    return (
        len(segments) == 3
        and (is_name_suffix(segments[2]) or is_honour(segments[2]))
        and is_sort_name(*segments[:2])
    )


def _heading_credit(segments: list[str], role: str) -> Credit:
    """One person of a heading's segments (`Last`, `First`, then generation words and titles)."""
    if len(segments) > 2:  # `Lytton, Edward Bulwer Lytton, Baron`: Edward Bulwer Lytton
        segments = [segments[0], peers_given_names(*segments[:3]), *segments[2:]]
    last, first = segments[0], FULLER_FORM.sub(r"\g<initials>", "".join(segments[1:2]))
    suffix = " ".join(part for part in segments[2:] if is_name_suffix(part))
    if first and is_organisation_heading(last, first):
        return Credit(name=f"{last}, {first}", role=role)  # a firm's, with its years
    if not first or not (is_sort_name(last, first) or len(last.split()) == 1):
        return Credit(name=last, role=role)  # `Aesop`, `Marcus Aurelius, Emperor of Rome`
    return Credit(
        name=" ".join(part for part in (sort_name_turned_around(last, first), suffix) if part),
        role=role,
        sort_name=", ".join(part for part in (last, first, suffix) if part),
    )


def suffix_last_sort_name(sort_name: str) -> str:
    """A sort name whose surname is really a suffix, as Goodreads' "Author l-f" writes it (it
    takes the last word for the surname), turned the right way: `Jr., Ross Lockridge` ->
    `Lockridge, Ross, Jr.`; a regnal name sorts by its name and numeral: `II, Pope John Paul`
    -> `John Paul II, Pope`. Any other sort name is returned as written."""
    head, comma, rest = sort_name.partition(",")
    suffix = head.strip()
    numeral = _ROMAN_NUMERAL.match(suffix)
    if not comma or "," in rest or not (numeral or is_name_suffix(suffix)):
        return sort_name  # nearly every sort name: a surname first
    words = rest.split()
    if numeral and len(words) > 1 and words[0].casefold() in _REGNAL_TITLES:
        return f"{' '.join(words[1:])} {suffix}, {words[0]}"
    if not words or not is_name_suffix(suffix):
        return sort_name
    return ", ".join(part for part in (words[-1], " ".join(words[:-1]), suffix) if part)


def split_people(value: str, *, role: str = "author") -> list[Credit]:
    """Several people in one cell, in order: separated by `;`, `|`, ` & `, ` and ` or `and` in
    another language (`Steve Anderson e Karen Anderson`), or by commas when each part is a
    whole name (`Neil Gaiman, Terry Pratchett`); a ` & ` beside a one-word name is inside one
    (`Simon & Schuster`), and a conjunction inside a surname (`José Ortega y Gasset`:
    name_joins.joined_inside_names). `Last, First` is one person (`Smith, Mark`, `Le Guin,
    Ursula K.`, `García Márquez, Gabriel`), turned around with its sort name kept, and so is a
    name and its title of rank (`Charles V, Holy Roman Emperor`:
    catalog.name_order.is_title_of_rank). A role after a name is that person's (`Jane Doe
    (Editor)`), a plural one every listed person's (`Kelly Link; Gavin J. Grant (editors)`),
    and `Keith Laumer (Edited by Eric Flint)` credits Eric Flint as editor too; a parenthesis
    naming no role stays in the name (`Plato (Ancient Greek philosopher)`)."""
    credits: list[Credit] = []
    unroled: list[int] = []  # the credits no parenthesis gave a role
    cell_role = ""
    value, phrase_role = read_credit_phrase(without_readings(without_others_tail(value or "")))
    role = phrase_role or role
    parts = with_shared_surnames(_split_outside_parentheses(value or "", _KEPT_SEPARATORS))
    for part in joined_inside_names(parts):
        if "works)" in part:
            part = _ATTRIBUTED_WORKS.sub("", part)
        named = (
            (") " in part and _credit_with_surname_again(part, role=role))
            or _read_bracketed_role(part)
            or read_trailing_role(part)
        )
        if named.plural:
            cell_role = named.role
        kept = named.role or named.credited
        cell = named.name if kept else part
        cell, group_role = japanese_credit(cell)  # `古勝隆一, 嘉瀬達男 訳注`: both translated
        names = [cell] if _is_one_heading(cell) else [n for n in _comma_names(cell) if n]
        # A singular role is the last name's, the one it follows (`A, B (Editor)`).
        singular = "" if named.plural else named.role
        for position, name in enumerate(names):
            own = (singular if position == len(names) - 1 else "") or group_role
            if not own and name.endswith(")") and position < len(names) - 1:
                # `John Tytell (introduction), William Klein (photographer)`: each its own.
                trailing = read_trailing_role(name)
                name, own = (trailing.name, trailing.role) if trailing.role else (name, "")
            if " by " in name and position:  # `Photographs by A, Text by B`: B's own words
                name, phrase = read_credit_phrase(name)
                own = own or phrase
            if ":" in name and (leading := read_leading_role(name)).role:
                name, own = leading.name, own or leading.role  # `Translator: E. Danglars`
            else:
                name, korean_role = korean_credit(name)  # `이한솔 그림`
                own = own or korean_role
            if not own:
                unroled.append(len(credits))
            credits.append(person_from_sort_name(name, role=own or role))
        if named.credited:
            credits += split_people(named.credited, role=named.credited_role)
    for index in unroled if cell_role else ():
        credits[index].role = cell_role
    seen: set[str] = set()
    unique = []
    for credit in credits:
        if credit.name.casefold() not in seen:
            seen.add(credit.name.casefold())
            unique.append(credit)
    return unique


def _credit_with_surname_again(part: str, *, role: str) -> NamedRole | None:
    """`Constance Garnett (translator) Garnett`, `Carlton Lake (selected) Lake`: a catalog's
    name, its credit's word and the surname again (a column to sort by, joined to it) -> the
    name in that role, a word no role is known for a contributor's; the same catalog's given
    names, a credit's word and the surname (`V.S. (selected) Pritchett`, `Cleanth (et. al)
    Brooks`: a role, or others left unnamed, the cell's `role`) -> the name so joined, in that
    role. None for any other part (`J.B. (Beachcomber) Morton`: a name's own parenthesis)."""
    shaped = SURNAME_AGAIN.fullmatch(part)
    if shaped is None:
        return None
    name, words, again = shaped["name"], shaped["words"].strip(), shaped["again"]
    name_words = name.casefold().split()
    again_words = again.casefold().split()
    repeated = all(word in name_words for word in again_words) or (
        len(again_words) == 1 and sorted(again_words[0]) == sorted(name_words[-1])  # a typo
    )
    if repeated:
        return NamedRole(name, words, ROLES.get(words.casefold(), "contributor"))
    if (key := words.casefold()) in ROLES or key in PLURAL_ROLES:
        plural = key in PLURAL_ROLES  # `Louise and Aylmer (translators) Maude`: both
        return NamedRole(
            f"{name} {again}", words, PLURAL_ROLES[key] if plural else ROLES[key], plural=plural
        )
    if not without_others_tail(words):  # `(et. al)`: the others are unnamed
        return NamedRole(f"{name} {again}", words, role)
    return None


def without_others_tail(value: str) -> str:
    """The cell without a tail crediting people left unnamed (`Jane Doe and many others`,
    `Stafford et al.`, `Müller, Hans [u.a.]`): it names no one, and became a person named
    `many others`."""
    start = max(len(value) - _OTHERS_TAIL_REACH, 0)
    end = value[start:].lower()
    if not ("al" in end or "other" in end or "u." in end or "and" in end or "др" in end):
        return value
    tail = _OTHERS_TAIL.search(value, start)
    return value[: tail.start()] if tail else value


def _read_bracketed_role(part: str) -> NamedRole | None:
    """A library catalog's relator term in brackets after a heading (Project Gutenberg's
    `Townsend, George Fyler, 1814-1900 [Translator]`): the person's role, a contributor's
    when it is none the catalog knows (`[Author of introduction, etc.]`, `[Commentator]`)
    after a heading with life dates or a sort name; None for any other bracket (`[pseud.]`)."""
    match = _BRACKETED_ROLE.search(part)
    if match is None:
        return None
    named = read_trailing_role(f"{part[: match.start()]} ({match['role']})")
    if named.role or named.credited:
        return named
    if split_life_dates(named.name).dated or _is_relator_term(named.name, match["role"]):
        return NamedRole(named.name, match["role"], "contributor")  # one the catalog does not know
    return None


def _is_relator_term(heading: str, words: str) -> bool:
    """Whether a bracket's capitalised words after an undated sort name are a relator term
    (`Gaffin, Adam [Author of introduction, etc.]`), where `[pseud.]` is no one's part."""
    last, comma, first = heading.partition(",")
    return words[:1].isupper() and bool(comma) and is_sort_name(last.strip(), first.strip())


def _is_one_heading(name: str) -> bool:
    """Whether a part is one person's library heading, with life dates (`Dumas, Alexandre,
    1802-1870`, `Aesop, 621? BCE-565? BCE`), a generation word or a title of honour (`King,
    Martin Luther, Jr.`, `Mandeville, John, Sir`), where its commas would list several people."""
    return split_life_dates(name).dated or _is_undated_heading(name)


def _split_outside_parentheses(value: str, separators: re.Pattern[str]) -> list[tuple[str, str]]:
    """The cell's parts between people separators (a pattern that keeps them), each with the
    separator before it (`and`, `&`, `;`, `|`, "" for the first), a separator inside a
    parenthesis kept in its part: `Keith Laumer (Edited by Eric Flint and David Drake)` is one
    part."""
    pieces = separators.split(value)
    parts: list[tuple[str, str]] = []
    separator = ""
    for index, piece in enumerate(pieces):
        inside = bool(parts) and parts[-1][0].count("(") > parts[-1][0].count(")")
        if index % 2:  # a separator
            if inside:
                parts[-1] = (parts[-1][0] + piece, parts[-1][1])
            else:
                separator = piece.strip().casefold()
            continue
        if inside:
            parts[-1] = (parts[-1][0] + piece, parts[-1][1])
        else:
            parts.append((piece, separator))
    return [(part.strip(), separator) for part, separator in parts]


def split_at_ampersands(value: str) -> list[str]:
    """The names of a cell whose people are separated by ` & ` (LibraryThing's, whose `;` and
    `|` lists its importer reads), each as written, by split_people's rules for `&`: `Boswell,
    Dustin & Foucher, Trevor` is two, `Simon & Schuster` one, `Grimm, Jacob & Wilhelm` ->
    `Grimm, Jacob`, `Grimm, Wilhelm`."""
    parts = _split_outside_parentheses(value or "", _KEPT_AMPERSANDS)
    return [name for name in joined_inside_names(with_shared_surnames(parts)) if name]


def _comma_names(part: str) -> list[str]:
    """One `Last, First` name, or the whole names a comma list holds."""
    segments = [s.strip() for s in part.split(",") if s.strip()]
    if len(segments) <= 1:
        return segments
    if is_degree(segments[-1]) and (len(segments) > 2 or " " in segments[0]):
        # `Charles Mackay, LL.D.`, `Smith, John, Ph.D.`; after a surname alone, `Smith, M.D.`
        # is M. D. Smith.
        return _comma_names(", ".join(segments[:-1]))
    if _BARE_COMMA.search(part):
        return [name for piece in _BARE_COMMA.split(part) for name in _comma_names(piece)]
    if any(map(CJK_SCRIPT.search, segments)) and not all(map(_is_cjk_name_part, segments)):
        return segments  # `ルーツ, Piyo`, `芥見下々, 岩崎優次`: names in that script, listed
    if (
        len(segments) == 2
        and (is_sort_name(*segments) or is_title_of_rank(segments[1]))
        and not read_leading_role(segments[1]).role  # `Da Feng Gua Guo, Translator: XiA`
    ):
        return [part]  # `Le Guin, Ursula K.`; `Charles V, Holy Roman Emperor`: one person
    if len(segments) % 2 == 0 and all(len(s.split()) == 1 for s in segments):
        # `King, Stephen, Straub, Peter`: single words in pairs are sort names.
        return [f"{segments[i]}, {segments[i + 1]}" for i in range(0, len(segments), 2)]
    return segments


def _is_cjk_name_part(part: str) -> bool:
    """A family or given name alone in CJK script (`司馬`, `遼太郎`), which a library may sort
    with a comma; a whole name is longer or holds a space (`岩崎優次`, `金子 司`). A Korean name
    is written whole in three syllables (`김은희`): a family or given name alone has two at most
    (`남궁`, `은희`)."""
    if " " in part or not all(CJK_SCRIPT.match(ch) for ch in part):
        return False
    return len(part) <= (2 if HANGUL.match(part) else 3)


def openlibrary_key(value: str, kind: str) -> str:
    """`OL7353617M`, `/books/OL7353617M` or an openlibrary.org URL -> "OL7353617M" when it is
    of this kind (W work, M edition, A author); anything else -> ""."""
    for match in _OPENLIBRARY_KEY.finditer(value or ""):
        key = match.group(0).upper()
        if key.endswith(kind):
            return key
    return ""
