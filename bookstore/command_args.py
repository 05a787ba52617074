"""Argument types the management commands share: a bad value is refused by argparse itself,
with the flag's name and one line saying what it takes (exit status 2 on a command line, a
CommandError through call_command), before the command has done anything."""

import argparse

from django.utils.translation import gettext


def positive_int(text: str) -> int:
    """A count such as --limit or --batch-size: 1 or more. 0 and negatives are refused, not
    read as "no limit" (or, sliced, as "all but the last N"): whoever wants no limit leaves the
    flag out."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            gettext("must be a whole number, at least 1 (not %(value)r)") % {"value": text}
        )
    return value
