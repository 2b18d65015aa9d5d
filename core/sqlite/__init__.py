"""The embedded database: Django's SQLite backend, with sums of money read as money."""
