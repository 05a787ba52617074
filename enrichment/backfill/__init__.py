"""The catalog backfill: the third way books enter the catalog, after imports and hand entry.

A scheduler (`months`) claims publication months; for each, the discovery sources (`sources`)
name notable books, those the catalog already holds are dropped (`dedupe`), the rest are
resolved to ISBNs by the providers' title + author cascade (`resolve`), and `works` writes them:
resolved books as works and editions queued for the normal enrichment, the others as synthetic
works that keep what the source said and are retried daily (`synthetic`).
"""
