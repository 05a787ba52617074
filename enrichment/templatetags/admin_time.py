"""`{{ moment|admin_time }}`: a time as every admin page shows one, Django's admin format in the
site's time zone (`display_for_value`, as the admin's own date columns), "–" for none."""

from django import template
from django.contrib.admin.utils import display_for_value

register = template.Library()


@register.filter
def admin_time(moment, empty: str = "–") -> str:
    return display_for_value(moment, empty)
