"""The record of downloads in the admin, read-only."""

from urllib.parse import unquote_plus

from django.contrib import admin

from workshops.models import ExportRecord


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    """Who downloaded which list, and when. Written by the exports only; nobody edits it."""

    list_display = ["created_at", "username", "export_name", "format", "row_count", "selection"]
    list_filter = ["format", "created_at"]
    search_fields = ["username", "export_name"]
    date_hierarchy = "created_at"
    readonly_fields = [*(f.name for f in ExportRecord._meta.fields), "selection"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="filters and selection")
    def selection(self, record):
        if not record.filters:
            return "—"
        query = unquote_plus(record.filters.get("query", "")) or "no filters"
        selected = record.filters.get("selected")
        if selected == "all":
            return f"{query}; all matching"
        return f"{query}; ticked: {', '.join(str(pk) for pk in selected or [])}"
