"""Romanisations that write one name in other letters, which author_names' loose spelling
rules do not fold: Japanese and Chinese names' syllables (a name that may be written family name
first). Pure functions over person_name_key's keys and words, no database.
"""

import re

# A word a Japanese (Hepburn) or Chinese (pinyin) romanisation may write: its syllables only.
_JAPANESE_WORD = re.compile(
    r"(?:(?:[kgsztdnhbpmr]y?|sh|ch|ts|[jfwy])?[aeiou]|n(?![aeiouy])|[kstp](?=[kstpc]))+"
)
_PINYIN_WORD = re.compile(
    r"(?:(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|iao|ian|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|"
    r"ua|uo|ui|ue|er|a|o|e|i|u|v))+"
)


def romanised_east_asian(word: str) -> bool:
    return bool(_JAPANESE_WORD.fullmatch(word) or _PINYIN_WORD.fullmatch(word))
