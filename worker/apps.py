from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django_tasks_db import apps as tasks_db_apps


class WorkerConfig(AppConfig):
    """The task worker's own records: heartbeats, the periodic schedule, run-once keys."""

    # This module holds a second config (JobsConfig, for django-tasks-db): this is "worker"'s.
    default = True
    name = "worker"
    verbose_name = "Background work"

    def ready(self):
        from worker import checks  # noqa: F401  (registers the task backend check)

        # Each app declares its tasks and periodic jobs in its own `tasks.py`; importing
        # them here fills the schedule (worker.schedule) before any worker reads it.
        autodiscover_modules("tasks")


class JobsConfig(tasks_db_apps.TasksAppConfig):
    """django-tasks-db's app (its jobs table), named for organisers in the admin."""

    default = False
    verbose_name = "Background jobs"
