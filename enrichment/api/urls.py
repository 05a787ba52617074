"""The enrichment endpoints of the JSON API (filled in by the next commit)."""

urlpatterns: list = []
