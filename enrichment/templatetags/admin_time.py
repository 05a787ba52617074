"""`{{ moment|admin_time }}`: a time as every admin page shows one, Django's admin format in the
site's time zone (`display_for_value`, as the admin's own date columns), "–" for none.
`{{ text|sentence_end }}`: the text with one full stop at its end, for a sentence that ends with
such a time ("… since 3:35 a.m." rather than "a.m..").
`{{ moment|age }}`: how long ago a moment was (`moment_age`): "40 s" under a minute, where
Django's timesince says "0 minutes", else "3 hours, 5 minutes"."""

from django import template
from django.contrib.admin.utils import display_for_value
from django.utils import timezone
from django.utils.timesince import timesince

from enrichment.operations_panel import duration_label

register = template.Library()


@register.filter
def admin_time(moment, empty: str = "–") -> str:
    return display_for_value(moment, empty)


@register.filter
def sentence_end(text) -> str:
    return f"{text}".removesuffix(".") + "."


def moment_age(moment, now=None) -> str:
    """How long ago `moment` was, as every admin page says it: "40 s" under a minute (a moment
    a little ahead of this clock, "0 s"), else Django's timesince ("3 hours, 5 minutes"); "–"
    for none."""
    if moment is None:
        return "–"
    now = now or timezone.now()
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return duration_label(max(seconds, 0))  # the operations panel's "12 s"
    return timesince(moment, now)


@register.filter
def age(moment) -> str:
    return moment_age(moment)
