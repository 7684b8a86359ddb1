"""The task backend must be django-tasks-db's, in the same database as our data."""

from django.core.checks import Error, register
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend


@register
def tasks_use_the_database_backend(app_configs, **kwargs):
    backend = task_backends["default"]
    if isinstance(backend, DatabaseBackend):
        return []
    return [
        Error(
            f"TASKS['default'] is {type(backend).__name__}, not django-tasks-db's DatabaseBackend.",
            hint="Our code enqueues jobs inside the transaction whose work they finish (a row in "
            "the same database, committed together), and the worker's recovery and schedule "
            "read that table: use django_tasks_db.DatabaseBackend.",
            id="worker.E001",
        )
    ]
