"""Move the test database to given migrations and back, for upgrade tests."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets` ((app, name); name None unapplies the app) and return those apps.

    The returned registry holds the historical models at `targets`.
    """
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def migrate_to_latest():
    """Leave the database fully migrated, as the rest of the suite expects."""
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
