"""The record of every download of delegates' data."""

from django.conf import settings
from django.db import models


class ExportRecord(models.Model):
    """Who downloaded which list of delegates, and when: personal data leaving the system."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"
        PDF = "pdf", "PDF"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the record still says who it was if the account is deleted.
    username = models.CharField(max_length=150)
    export_name = models.CharField(max_length=300)
    format = models.CharField(max_length=10, choices=Format.choices)
    row_count = models.PositiveIntegerField(help_text="Delegates (or seats) in the download.")
    # Which rows were asked for: an admin list's query string (filters, search, ordering)
    # and the ids ticked, or "all" that matched. Empty for the exports page's downloads.
    filters = models.JSONField(
        default=dict, blank=True, help_text="The admin list's query string and the rows selected."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.username}: {self.export_name} ({self.get_format_display()})"


class ExportFile(models.Model):
    """A large download built by a worker, kept for its owner until `expires_at`.

    Made by `workshops.exports.background.queue_download` when a PDF or XLSX
    covers at least `BACKGROUND_EXPORT_MIN_ROWS` delegates or seats; built by
    `workshops.exports.files.build_export_file`; each fetch is recorded as an
    `ExportRecord`, as a download in the request is. The bytes are kept in the
    database, the one store every app server and worker shares; the periodic job
    `workshops.tasks.delete_expired_exports` deletes the row when it expires.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    export_slug = models.CharField(max_length=50)
    format = models.CharField(max_length=10, choices=ExportRecord.Format.choices)
    # The name in the record of each fetch: the export's title and the selection.
    export_name = models.CharField(max_length=300)
    filename = models.CharField(max_length=200)
    # Whose data goes in, as ids taken when it was asked for: {"delegates": [...]} or
    # {"sessions": [...]}, and "day" (ISO date) for a per-day export.
    scope = models.JSONField(default=dict)
    filters = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(default=0)
    content = models.BinaryField(null=True, editable=False)
    size = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "export file"

    def __str__(self):
        return f"{self.export_name} ({self.get_format_display()}) for {self.username}"

    @property
    def percent(self):
        if self.state == self.State.READY:
            return 100
        return min(round(100 * self.done / self.total), 99) if self.total else 0
