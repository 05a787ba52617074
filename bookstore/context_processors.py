"""Template context shared by every page."""

from django.conf import settings


def demo_mode(request) -> dict:
    """`demo_mode`: the data on screen comes from `make demo`'s local provider (base_site.html
    says so on every admin page)."""
    return {"demo_mode": settings.DEMO_MODE}
