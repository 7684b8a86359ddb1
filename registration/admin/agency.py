"""Agencies in the admin: who may register from each, and their place limits."""

from django.contrib import admin, messages

from registration.admin.protected import ProtectsFields
from registration.models import Agency


@admin.register(Agency)
class AgencyAdmin(ProtectsFields, admin.ModelAdmin):
    list_display = ["name", "kind", "is_confirmed", "admission", "place_limit"]
    list_filter = ["kind", "is_confirmed", "admission"]
    search_fields = ["name", "aliases"]
    fields = [
        "name",
        "aliases",
        "kind",
        "is_confirmed",
        "admission",
        "email_domains",
        "place_limit",
    ]
    actions = ["confirm_agencies"]

    @admin.action(description="Confirm the selected agencies", permissions=["change"])
    def confirm_agencies(self, request, queryset):
        count = queryset.update(is_confirmed=True)
        self.message_user(request, f"Confirmed {count} agencies.", messages.SUCCESS)
