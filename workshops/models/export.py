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
