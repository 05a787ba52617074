"""`{{ moment|admin_time }}`: a time as every admin page shows one, Django's admin format in the
site's time zone (`display_for_value`, as the admin's own date columns), "–" for none.
`{{ text|sentence_end }}`: the text with one full stop at its end, for a sentence that ends with
such a time ("… since 3:35 a.m." rather than "a.m..").
`{{ moment|age }}`: how long ago a moment was (`moment_age`), in the words the operations
panel uses for its ages ("40 s", "8 min", "3 h 5 min", "2 days"), so that one page never says
"3 min ago" beside "3 minutes ago"."""

from django import template
from django.contrib.admin.utils import display_for_value
from django.utils import timezone

from enrichment.operations_panel import duration_label

register = template.Library()


@register.filter
def admin_time(moment, empty: str = "–") -> str:
    return display_for_value(moment, empty)


@register.filter
def sentence_end(text) -> str:
    return f"{text}".removesuffix(".") + "."


def moment_age(moment, now=None) -> str:
    """How long ago `moment` was, as every admin page says it (`duration_label`: "40 s",
    "8 min", "3 h 5 min", "2 days"; a moment a little ahead of this clock, "0 s"); "–" for
    none."""
    if moment is None:
        return "–"
    now = now or timezone.now()
    return duration_label(max(int((now - moment).total_seconds()), 0))


@register.filter
def age(moment) -> str:
    return moment_age(moment)
