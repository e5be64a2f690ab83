"""Django-free helpers: pure functions, unit-tested in milliseconds."""
