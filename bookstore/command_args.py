"""Argument types the management commands share: a bad value is refused by argparse itself,
with the flag's name and one line saying what it takes (exit status 2 on a command line, a
CommandError through call_command), before the command has done anything."""

import argparse

from django.utils.translation import gettext


def positive_int(text: str) -> int:
    """A count such as --limit or --batch-size: 1 or more. 0 and negatives are refused, not
    read as "no limit" (or, sliced, as "all but the last N"): whoever wants no limit leaves the
    flag out."""
    return _whole_number(text, least=1)


def non_negative_int(text: str) -> int:
    """A count where 0 means something of its own (--workers 0: in this process; --days 0:
    keep forever); a negative is refused (-2 worker processes waited forever for none)."""
    return _whole_number(text, least=0)


def _whole_number(text: str, *, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = least - 1
    if value < least:
        raise argparse.ArgumentTypeError(
            gettext("must be a whole number, at least %(least)s (not %(value)r)")
            % {"least": least, "value": text}
        )
    return value
