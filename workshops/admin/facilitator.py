"""Facilitators in the admin: who runs which workshop, and where they may read access needs.

Only holders of `workshops.grant_needs_access` (Organisers) set or change the
grants; everyone else sees them read-only. The email address is a contact
detail (`Facilitator.protected_fields`), hidden and unsearchable without
`registration.view_contact_details`, like delegates'.
"""

from django.contrib import admin, messages
from django.db.models import Count

from outbox.admin import warn_about_waiting_email
from registration.admin.protected import ProtectsFields
from registration.models import Event
from workshops.forms.facilitator import FacilitatorAdminForm, session_choices
from workshops.models import Facilitator
from workshops.services.facilitator import email_facilitator_link, prune_needs_grants

GRANT_PERMISSION = "workshops.grant_needs_access"


@admin.register(Facilitator)
class FacilitatorAdmin(ProtectsFields, admin.ModelAdmin):
    """Name facilitators per workshop; they sign in by emailed link (no admin account)."""

    form = FacilitatorAdminForm
    fields = ["event", "name", "email", "workshops", "needs_sessions"]
    list_display = ["name", "email", "workshop_titles", "needs_count", "event"]
    list_filter = ["event", "workshops"]
    list_select_related = ["event"]
    search_fields = ["name", "email", "workshops__title"]
    actions = ["send_sign_in_links"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("workshops")
            .annotate(n_needs=Count("needs_sessions", distinct=True))
        )

    def get_readonly_fields(self, request, obj=None):
        if request.user.has_perm(GRANT_PERMISSION):
            return ()
        return ("needs_sessions",)

    def get_changeform_initial_data(self, request):
        event = Event.objects.current()
        return {"event": event} if event else {}

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "needs_sessions":
            kwargs["queryset"] = session_choices()
        elif db_field.name == "workshops":
            kwargs["queryset"] = db_field.related_model.objects.select_related("event")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A grant outlives nothing: taking a workshop away takes its sessions' grants too.
        prune_needs_grants(facilitator=form.instance)

    @admin.display(description="workshops")
    def workshop_titles(self, facilitator):
        return ", ".join(w.title for w in facilitator.workshops.all()) or "—"

    @admin.display(description="may see access needs at", ordering="n_needs")
    def needs_count(self, facilitator):
        return f"{facilitator.n_needs} session(s)" if facilitator.n_needs else "—"

    @admin.action(
        description="Email the selected facilitators a sign-in link", permissions=["change"]
    )
    def send_sign_in_links(self, request, queryset):
        count = 0
        for facilitator in queryset.select_related("event"):
            email_facilitator_link(facilitator=facilitator)
            count += 1
        self.message_user(
            request, f"Queued a sign-in link to {count} facilitator(s).", messages.SUCCESS
        )
        warn_about_waiting_email(admin=self, request=request)
