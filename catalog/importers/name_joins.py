"""Where a separator in a cell of people is inside one name or shares a name's parts (pure,
split from cells.py, which reads the cell): a firm's ` & ` (`Simon & Schuster`), a surname's
conjunction (`José Ortega y Gasset`), a body's `and` (`Department of Health and Human
Services`), a surname that given names after `and` share (`Strugatsky, Arkady and Boris`)."""

import re

from catalog.importers.parsing import PLURAL_ROLES, is_unknown_person
from catalog.name_order import CJK_SCRIPT, SURNAME_PARTICLES, is_organisation_word
from catalog.person_names import is_sort_name
from catalog.text import is_name_suffix

# `and` in Portuguese and Italian, Spanish, French, German, Swedish, Danish and Norwegian,
# Dutch, Catalan and Polish, Russian: lower case only, where `E` and `Y` are initials (`John E
# Smith`). Not the Czech `a`, which is French, Spanish and Portuguese for "has" and "to"
# (LibraryThing's `l'anonymat, Auteur qui a voulu conserver`).
CONJUNCTIONS = ("e", "y", "et", "und", "och", "og", "en", "i", "и")
# A name, its credit's word in a parenthesis and its surname again: `Constance Garnett
# (translator) Garnett` (cells._credit_with_surname_again).
SURNAME_AGAIN = re.compile(r"(?P<name>[^()]*\S)\s*\((?P<words>[^()]+)\)\s+(?P<again>[^()\s][^()]*)")
# `Project, The American Poetry and Literacy`: a name sorted by its noun (_surname_to_share).
_ARTICLES = {"the", "a", "an"}


def with_shared_surnames(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The parts with their separators, a given name that follows a sorted name with `and` or
    `&` taking its surname: `Strugatsky, Arkady and Boris` and Book Catalogue's `Hitchens, P.
    G. Wodehouse and Christopher` name Boris Strugatsky and Christopher Hitchens, not a one-word
    `Boris`; the given names a comma lists before it take it too (`Brontë, Charlotte, Emily and
    Anne`: the three sisters). The surname is written once only in that sorted form; `Arkady
    and Boris Strugatsky` is left as two parts, as `Voltaire and Jean-Jacques Rousseau` and
    `McKinsey & Company Inc.` are written the same way."""
    names: list[tuple[str, str]] = []
    for part, separator in parts:
        if names and separator in ("and", "&") and ") " in part:
            names[-1] = (_with_shared_credit(names[-1][0], part), names[-1][1])
        surname = ""
        if names and separator in ("and", "&"):
            surname = _surname_to_share(names[-1][0], part)
        if not surname:
            names.append((part, separator))
            continue
        sorted_name, sorted_separator = names.pop()
        given_names = [given.strip() for given in sorted_name.rstrip(" ,").split(",")[1:]]
        names += [
            (f"{surname}, {given}", sorted_separator if position == 0 else ",")
            for position, given in enumerate(given_names)
        ]
        names.append((f"{surname}, {part}", separator))
    return names


def _with_shared_credit(given: str, part: str) -> str:
    """A given name alone before another's credit in the plural and the surname again, as one
    catalog writes a couple (`Louise and Alymer (translators) Maude`), with that credit and
    surname too: `Louise (translators) Maude`, Louise Maude, translator
    (cells._credit_with_surname_again). Any other name is returned as written."""
    shaped = SURNAME_AGAIN.fullmatch(part) if _is_bare_given_name(given) else None
    if shaped is None or shaped["words"].strip().casefold() not in PLURAL_ROLES:
        return given
    if not (_is_bare_given_name(shaped["name"]) and _is_bare_given_name(shaped["again"])):
        return given
    return f"{given} ({shaped['words']}) {shaped['again']}"


def _surname_to_share(sorted_name: str, given: str) -> str:
    """The surname of `sorted_name` (`Strugatsky, Arkady`, `Brontë, Charlotte, Emily`) when
    `given` is a bare given name that goes with it, as are any after its first: one word, no
    organisation's (`Inc., McKinsey & Company` is not two people), after a one-word surname,
    particles aside (`Rita Falk, Klüpfel & Kobr` lists three surnames) or an organisation
    sorted by its noun."""
    if "(" in sorted_name or not _is_bare_given_name(given):
        return ""
    segments = [segment.strip() for segment in sorted_name.rstrip(" ,").split(",")]
    if len(segments) < 2 or not all(_is_bare_given_name(name) for name in segments[2:]):
        return ""  # `King, Martin Luther, Jr.`, `Thimmel, Ulrich Brand, Bettina Lösch, …`
    if len(segments) > 2 and len(segments) % 2 == 0:
        return ""  # `King, Stephen, Straub, Peter`: sort names in pairs (_comma_names)
    last, first = segments[0], segments[1]
    words = last.split()
    if not first or not words or is_name_suffix(first) or is_organisation_word(words[-1]):
        return ""
    if first.split()[0].casefold() in _ARTICLES:
        return ""  # `Project, The American Poetry and Literacy`: a name sorted by its noun
    if any(word.casefold() not in SURNAME_PARTICLES for word in words[:-1]):
        return ""
    return last if is_sort_name(last, first) else ""


def _is_bare_given_name(name: str) -> bool:
    """`Boris`: one word, that no suffix (`Jr.`) or organisation's word (`Company`) is."""
    return (
        len(name.split()) == 1
        and not re.search(r"[,()]", name)
        and not is_name_suffix(name)
        and not is_organisation_word(name)
    )


def joined_inside_names(parts: list[tuple[str, str]]) -> list[str]:
    """The parts, each put back together with the part before it where the ` & ` or the
    conjunction between them is inside one name. A ` & ` separates two people only between
    whole names, each sorted (`Boswell, Dustin & Foucher, Trevor`) or of two words or more
    (`David Talbott & Wallace Thornhill`); beside a one-word name it joins one: a firm's (`Simon
    & Schuster`, `W. W. Norton & Company`, `McKinsey & Company Inc.`) or a pair's credited
    together (`Arkady & Boris Strugatsky`, where a one-word `Arkady` would be no one).
    `Unknown` stands for a whole name (`Unknown & A. Writer`). A conjunction of another
    language separates two people by _joins_two_people (`Steve Anderson e Karen Anderson`),
    and is otherwise a surname's (`José Ortega y Gasset`); an `and` before one word ends the
    name of a body `… of …` (`American Academy of Arts and Letters`: _ends_a_body_of)."""
    names: list[str] = []
    before = ""
    for part, separator in parts:
        if names and separator == "&" and not (_is_whole_name(before) and _is_whole_name(part)):
            names[-1] = f"{names[-1]} & {part}"
        elif names and separator in CONJUNCTIONS and not _joins_two_people(names[-1], part):
            names[-1] = f"{names[-1]} {separator} {part}"
        elif names and separator == "and" and _ends_a_body_of(names[-1], part):
            names[-1] = f"{names[-1]} and {part}"
        else:
            names.append(part)
        before = part
    return names


# Where a body's name goes on with what it is of or for: `Department of Health`.
_BODY_OF = re.compile(r" (?:of|for) ")
# The words after an `and` that may end a body's name (`Human Services`, `Urban Development`);
# more are another name.
_BODY_WORDS_AFTER_AND = 3
# Words that name a body before its `of` or `for` (`Center for History and New Media`) but are
# surnames too, so no organisation's word elsewhere (`Cutlip, Scott M. and Center, Allen H.`).
_BODY_WORDS_BEFORE_OF = frozenset({"center", "centre"})
# An adjective's ending no name has (`State Historical`, `National`, `Cultural`, `Environmental`):
# before an `and` and a body `… Society of …`, it begins that body's name.
_ADJECTIVE_ENDINGS = ("ical", "ional", "ural", "ntal")


def _ends_a_body_of(before: str, after: str) -> bool:
    """Whether an `and` is inside the name of one body `… of …` or `… for …`, not between two
    people: the capitalised words after it end the name (`American Academy of Arts and
    Letters`, `Department of Health and Human Services`, `Museum of Fine Arts and Sciences`),
    the body's first `and` only, and a second body's word before its `of` goes on with it
    (`American Academy and Institute of Arts and Letters`), as does an adjective (`State
    Historical and Natural History Society of Colorado`). A word of a body stands before the
    `of` (`Francis of Assisi and Clare` are two)."""
    phrase = _BODY_OF.search(before) if " of " in before or " for " in before else None
    if phrase:
        body, rest = before[: phrase.start()], before[phrase.end() :]
        words = after.split()
        return (
            0 < len(words) <= _BODY_WORDS_AFTER_AND
            and " and " not in rest
            and all(word[:1].isupper() for word in words)
            and not any(mark in after for mark in ",()")
            and any(_names_a_body(word) for word in body.split())
        )
    head, of, _rest = after.partition(" of ")
    if not of:
        return False
    last_before = before.rsplit(" ", 1)[-1]
    if " " not in head:
        return is_organisation_word(head) and is_organisation_word(last_before)
    head_words = head.split()
    return (
        last_before.casefold().endswith(_ADJECTIVE_ENDINGS)
        and is_organisation_word(head_words[-1])
        and all(word[:1].isupper() for word in head_words + before.split())
        and not any(mark in before for mark in ",()")
    )


def _names_a_body(word: str) -> bool:
    return is_organisation_word(word) or word.casefold() in _BODY_WORDS_BEFORE_OF


def _joins_two_people(before: str, after: str) -> bool:
    """Whether a conjunction between two parts (` e `, ` y `, ` och `…) joins two people, not
    the halves of one surname (`José Ortega y Gasset`, `Santiago Ramón y Cajal`, `Artur da
    Costa e Silva`, `Niklas Natt och Dag`): each side is a whole name, sorted (`Anderson,
    Steve`) or a given name and a surname, the right side's first word no particle (`… y de la
    Cruz`). A one-word side is a surname, or a given name whose surname the other names
    (`Jacob und Wilhelm Grimm`), and the cell stays one credit."""
    if _one_word_or_particles(after):
        return False
    return "," in before or len(before.split()) > 1


def joins_surname_halves(before: str, after: str) -> bool:
    """Whether a conjunction between a whole name and what follows it joins the halves of one
    surname (`Niklas Natt och Dag`, `José Ortega y Gasset`, `Jordi Sierra i Fabra`), not two
    people: the left side a given name and a surname, the right side one word or opening with a
    particle (`… y de la Cruz`). `Jacob und Wilhelm Grimm` (a one-word left side) names two."""
    return "," not in before and len(before.split()) > 1 and _one_word_or_particles(after)


def conjunction_joins_people(name: str, conjunctions: frozenset[str]) -> bool:
    """Whether one of `conjunctions` inside a name joins two people ("Arkady and Boris
    Strugatsky", "Strugatsky, Arkady and Boris", "Jacob und Wilhelm Grimm"), not the halves of
    one surname ("Niklas Natt och Dag": joins_surname_halves)."""
    words = name.split()
    return any(
        word.casefold() in conjunctions
        and not joins_surname_halves(" ".join(words[:i]), " ".join(words[i + 1 :]))
        for i, word in enumerate(words[1:-1], start=1)
    )


def _one_word_or_particles(after: str) -> bool:
    words = after.split()
    return "," not in after and (len(words) < 2 or words[0].casefold() in SURNAME_PARTICLES)


def _is_whole_name(name: str) -> bool:
    # A name in Chinese, Japanese or Korean script is written whole without a space (`王婧`).
    return (
        "," in name
        or len(name.split()) > 1
        or is_unknown_person(name)
        or bool(CJK_SCRIPT.match(name) and len(name) > 1)
    )
