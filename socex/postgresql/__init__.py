"""Django's PostgreSQL backend, checking a reused connection only after it sat idle (`base`)."""
