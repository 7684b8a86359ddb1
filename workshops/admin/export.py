"""The record of downloads in the admin, read-only."""

from django.contrib import admin

from workshops.models import ExportRecord


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    """Who downloaded which list, and when. Written by the exports only; nobody edits it."""

    list_display = ["created_at", "username", "export_name", "format", "row_count"]
    list_filter = ["format", "created_at"]
    search_fields = ["username", "export_name"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ExportRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
