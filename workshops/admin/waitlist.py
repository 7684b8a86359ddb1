"""Waiting lists in the admin: see who waits for what, and reorder by editing `position`."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from registration.admin.protected import ProtectsFields
from workshops.models import WaitlistEntry


class WaitlistInline(ProtectsFields, admin.TabularInline):
    """The session's waiting list, in the order it will be served; edit `position` to reorder."""

    model = WaitlistEntry
    verbose_name = "person waiting"
    verbose_name_plural = "waiting list (lowest position is served first)"
    fields = ["place", "delegate_link", "position", "created_at"]
    readonly_fields = ["place", "delegate_link", "created_at"]
    extra = 0
    can_delete = True

    def get_queryset(self, request):
        return super().get_queryset(request).with_place().select_related("delegate").in_order()

    def has_add_permission(self, request, obj=None):
        return False  # delegates join from their booking page, where the rules are checked

    @admin.display(description="place")
    def place(self, entry):
        return entry.place

    @admin.display(description="delegate")
    def delegate_link(self, entry):
        url = reverse("admin:registration_delegate_change", args=[entry.delegate_id])
        return format_html('<a href="{}">{}</a>', url, entry.delegate)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ProtectsFields, admin.ModelAdmin):
    list_display = ["session", "place", "delegate", "position", "created_at"]
    list_editable = ["position"]
    list_filter = ["time_slot", "session__workshop"]
    list_select_related = ["delegate", "session__workshop", "session__time_slot", "session__room"]
    search_fields = ["delegate__first_name", "delegate__last_name", "delegate__email"]
    fields = ["delegate", "session", "position", "created_at"]
    readonly_fields = ["delegate", "session", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_place()

    def get_changelist_formset(self, request, **kwargs):
        """The list's position boxes, each labelled with whose place it is (WCAG 4.1.2)."""
        formset = super().get_changelist_formset(request, **kwargs)

        class LabelledPositions(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                # The empty form (its media is read when the list has no rows) has no delegate.
                if form.instance.delegate_id is not None:
                    form.fields["position"].widget.attrs["aria-label"] = (
                        f"Position of {form.instance.delegate}"
                    )

        return LabelledPositions

    def has_add_permission(self, request):
        return False

    @admin.display(description="place", ordering="place")
    def place(self, entry):
        return entry.place
