"""Enrichment models: the queue, the provider cache and the audit log (added issue by issue)."""
