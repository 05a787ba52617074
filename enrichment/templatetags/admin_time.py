"""`{{ moment|admin_time }}`: a time as every admin page shows one, Django's admin format in the
site's time zone (`display_for_value`, as the admin's own date columns), "–" for none.
`{{ text|sentence_end }}`: the text with one full stop at its end, for a sentence that ends with
such a time ("… since 3:35 a.m." rather than "a.m..")."""

from django import template
from django.contrib.admin.utils import display_for_value

register = template.Library()


@register.filter
def admin_time(moment, empty: str = "–") -> str:
    return display_for_value(moment, empty)


@register.filter
def sentence_end(text) -> str:
    return f"{text}".removesuffix(".") + "."
