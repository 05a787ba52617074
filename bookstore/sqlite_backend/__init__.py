"""Django's SQLite backend, with writers that wait for the write lock asking every millisecond
(settings.py uses it for a SQLite database: `base.DatabaseWrapper`)."""
