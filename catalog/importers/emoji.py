"""Emoji a reader puts at either end of a title (pure); out of parsing.py, past 600 lines."""

import re

# Emoji a reader puts before or after a title (`Rhythm of War 🎧` for a book listened to,
# `Piranesi ❤️`, `📚 The Hobbit`), with their skin tones, joiners and keycaps: the pictographs'
# planes, and a symbol of the basic plane only as an emoji (with U+FE0F after it), as `☆` and
# `♪` are many a Japanese title's own.
_EMOJI = r"(?:[\U0001F000-\U0001FAFF\u200d\ufe0f\u20e3]|[\u2000-\u2bff]\ufe0f)+"
_EMOJI_AT_ENDS = re.compile(rf"^{_EMOJI}\s*|\s*{_EMOJI}$")


def _is_emoji_end(char: str) -> bool:
    return char >= "\U0001f000" or char in "\ufe0f\u200d\u20e3"


def strip_emoji(title: str) -> str:
    """`Rhythm of War 🎧` -> `Rhythm of War`: the emoji at either end of a title left out; a
    title of nothing else comes back whole."""
    if title.isascii() or not (_is_emoji_end(title[0]) or _is_emoji_end(title[-1])):
        return title  # nearly every title, at C speed
    return _EMOJI_AT_ENDS.sub("", title) or title
