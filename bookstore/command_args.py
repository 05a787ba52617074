"""Argument types the management commands share: a bad value is refused by argparse itself,
with the flag's name and one line saying what it takes (exit status 2 on a command line, a
CommandError through call_command), before the command has done anything."""

import argparse
import math

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


def port_number(text: str) -> int:
    """A TCP port to listen on: 0 (a free one) to 65535; anything else stopped the command with
    a traceback (OverflowError) once it tried to listen."""
    port = _whole_number(text, least=0)
    if port > 65535:
        raise argparse.ArgumentTypeError(
            gettext("must be a port number, 0 to 65535 (not %(value)r)") % {"value": text}
        )
    return port


def non_negative_seconds(text: str) -> float:
    """A delay in seconds, 0 or more and finite: a negative one was read as 0 without a word,
    and "nan" or "inf" was accepted, then failed or waited forever at its first use."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < math.inf:  # False for nan too
        raise argparse.ArgumentTypeError(
            gettext("must be a number of seconds, 0 or more (not %(value)r)") % {"value": text}
        )
    return seconds


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
