"""Background work in the admin, read-only: jobs, workers and the periodic schedule.

Only organisers may look (the permissions migration grants them the views): a
failed job's traceback can quote data. Jobs carry ids, or arguments sealed
with `worker.sealed`, never an address in clear.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from worker.models import PeriodicJob, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class JobAdmin(DBTaskResultAdmin):
    """django-tasks-db's own admin, with each job's attempts and workers in the list."""

    list_display = (
        "task_name",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "attempts",
        "queue_name",
    )
    list_filter = ("status", "queue_name")
    search_fields = ("task_path",)

    @admin.display(description="attempts")
    def attempts(self, obj):
        return len(obj.worker_ids)


if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, JobAdmin)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["worker_id", "hostname", "pid", "started_at", "last_seen_at", "is_alive"]

    @admin.display(boolean=True, description="alive")
    def is_alive(self, obj):
        silent = timezone.now() - obj.last_seen_at
        return silent <= timedelta(seconds=settings.WORKER_DEAD_AFTER_SECONDS)


@admin.register(PeriodicJob)
class PeriodicJobAdmin(ReadOnlyAdmin):
    list_display = ["name", "next_run_at", "last_enqueued_at", "last_task_id"]
