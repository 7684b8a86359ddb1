"""Invitation codes in the admin."""

from django.contrib import admin
from django.db.models import Count, Q

from registration.admin.protected import ProtectsFields
from registration.models import Delegate, Invitation


@admin.register(Invitation)
class InvitationAdmin(ProtectsFields, admin.ModelAdmin):
    list_display = ["code", "agency", "note", "max_uses", "used", "expires_at", "created_at"]
    list_filter = ["event", "agency__kind"]
    search_fields = ["code", "note", "agency__name"]
    autocomplete_fields = ["agency"]
    fields = ["event", "code", "agency", "max_uses", "expires_at", "note"]

    def get_queryset(self, request):
        live = Count("delegates", filter=~Q(delegates__status=Delegate.Status.CANCELLED))
        return super().get_queryset(request).select_related("agency").annotate(used_count=live)

    @admin.display(description="used", ordering="used_count")
    def used(self, invitation):
        return invitation.used_count
