"""The one-way house, where import-linter cannot see: migrations and management commands."""

import pytest
from django.db.migrations.loader import MigrationLoader

# Each app's migrations may depend only on these apps (and Django's own).
MAY_DEPEND_ON = {
    "worker": {"worker"},
    "outbox": {"outbox", "worker"},
    "registration": {"registration", "outbox", "worker"},
    "workshops": {"workshops", "registration", "outbox", "worker"},
}
DJANGO_APPS = {
    "auth",
    "contenttypes",
    "sessions",
    "admin",
    "otp_totp",
    "axes",
    "django_tasks_database",
}


@pytest.mark.django_db
def test_migrations_depend_only_downwards():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    upward = []
    for (app, name), migration in loader.disk_migrations.items():
        if app not in MAY_DEPEND_ON:
            continue
        for dep_app, dep_name in migration.dependencies:
            if dep_app == "__setting__":  # swappable AUTH_USER_MODEL
                continue
            if dep_app not in MAY_DEPEND_ON[app] | DJANGO_APPS:
                upward.append(f"{app}.{name} -> {dep_app}.{dep_name}")
        # A higher app may order itself before a lower one's migration (run_before): the
        # knowledge stays in the higher app. A lower app naming a higher one may not.
        for before_app, before_name in migration.run_before:
            if before_app not in MAY_DEPEND_ON[app] | DJANGO_APPS:
                upward.append(f"{app}.{name} runs before {before_app}.{before_name}")
    assert upward == []
