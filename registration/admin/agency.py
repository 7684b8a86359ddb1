"""Agencies in the admin: who may register from each, and their place limits."""

from django.contrib import admin

from registration.admin.protected import ProtectsFields
from registration.models import Agency
from socex.admin_messages import counted, report_counts


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
        selected = queryset.count()
        confirmed = queryset.filter(is_confirmed=False).update(is_confirmed=True)
        report_counts(
            self,
            request,
            counted(
                confirmed, "%(count)d agency was confirmed.", "%(count)d agencies were confirmed."
            ),
            skipped=(
                selected - confirmed,
                "%(count)d was confirmed already.",
                "%(count)d were confirmed already.",
            ),
        )
