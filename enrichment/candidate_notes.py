"""Notes a worker writes for reviewers ("The page count 640 was not kept: this is an
audiobook…", "The work already has a verified cover: kept."), said in the reader's language.

A worker's language is not the reviewer's, so a note is kept as its message and values and said
when shown (`say`): its message is the English msgid, marked with `gettext_noop` where it is
written (so makemessages finds it) and translated only when read; a value may itself be a note,
or a list of notes (said "; "-joined). The cover step's notes (`enrichment.cover_notes`) are
said by the same rule. A `Note` is a `str` whose text is the English one, so everything
that reads notes as text (tests, logs, the stored `notes`) reads it as before. Pure: no database.
"""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext


class Note(str):
    """A note's English text, with the message and values it is said from."""

    message: str
    values: dict[str, Any]

    def __new__(cls, message: str, values: dict[str, Any] | None = None) -> "Note":
        values = dict(values or {})
        if translation.get_language() == "en":
            # A batch's notes written under one override (a provider's candidates): switching
            # language costs more than the rest of a note.
            text = say(message, values)
        else:
            with translation.override("en"):
                text = say(message, values)
        note = super().__new__(cls, message if text is None else text)
        note.message, note.values = message, values
        return note

    def __reduce__(self):
        return (Note, (self.message, self.values))

    def __deepcopy__(self, memo: dict) -> "Note":
        return self  # never changed once made


def note(message: str, **values: Any) -> Note:
    """A note said from `message` (an English msgid marked with gettext_noop) and `values`."""
    return Note(message, values)


def _value_said(value: Any) -> Any:
    if isinstance(value, Note):
        return say(value.message, value.values) or str(value)
    if isinstance(value, list):
        return "; ".join(str(_value_said(item)) for item in value)
    return value


def say(message: str, values: dict[str, Any]) -> str | None:
    """`message` (an English msgid) with `values`, in the active language; None where the values
    no longer fit the message (stored by an older version of it)."""
    try:
        said = gettext(message)
        if values:
            said = said % {name: _value_said(value) for name, value in values.items()}
        return said
    except (KeyError, TypeError, ValueError):  # values a later message no longer takes
        return None


def note_code(text: str) -> dict[str, Any]:
    """How a note is stored to be said again: {"message", "values"}; {} for plain text."""
    if not isinstance(text, Note):
        return {}
    return {"message": text.message, "values": _values_code(text.values)}


def _values_code(values: dict[str, Any]) -> dict[str, Any]:
    def code(value: Any) -> Any:
        if isinstance(value, Note):
            return note_code(value)
        if isinstance(value, list):
            return [code(item) for item in value]
        return value

    return {name: code(value) for name, value in values.items()}


def _from_code(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("message"), str):
        values = value.get("values")
        return Note(
            value["message"],
            {k: _from_code(v) for k, v in values.items()} if isinstance(values, dict) else {},
        )
    if isinstance(value, list):
        return [_from_code(item) for item in value]
    return value


def note_text(text: str, code: Any = None) -> str:
    """A stored note in the active language: said from its code ({"message", "values"}, as
    `note_code` stored it); a note stored as text alone (before the codes) as written."""
    if isinstance(text, Note):
        return say(text.message, text.values) or str(text)
    said = _from_code(code)
    if isinstance(said, Note):
        return say(said.message, said.values) or text
    return text
