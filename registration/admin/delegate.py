"""Delegates in the admin: their registration, needs (for those allowed), approval and erasure.

The workshops app extends this with seats (`workshops.admin.delegate`): it
registers its own subclass in place of this one, so the delegate page shows
their workshops while registration knows nothing of them.
"""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone

from outbox.admin import warn_about_waiting_email
from outbox.services import sending_together
from registration.admin.privacy import erase_delegates
from registration.admin.protected import ProtectsFields
from registration.models import Agency, Delegate, DetailChange
from registration.services.confirmation import confirm_email_address
from registration.services.eligibility import NotEligible, approve_registration

NEEDS_PERMISSION = Delegate.NEEDS_PERMISSION
NEEDS_FIELDS = Delegate.NEEDS_FIELDS


class EmailConfirmedFilter(admin.SimpleListFilter):
    title = "email address"
    parameter_name = "email_confirmed"

    def lookups(self, request, model_admin):
        return [("yes", "Confirmed"), ("no", "Not confirmed")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(email_confirmed_at__isnull=self.value() == "no")
        return queryset


class AgencyKindFilter(admin.ChoicesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "type of agency"


class AgencyConfirmedFilter(admin.BooleanFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "agency confirmed (typed-in agencies are not)"


class NeedsFilter(admin.SimpleListFilter):
    """Delegates who told us dietary or accessibility needs; only for `view_needs` holders."""

    title = "dietary or accessibility needs"
    parameter_name = "needs"

    def lookups(self, request, model_admin):
        if not request.user.has_perm(NEEDS_PERMISSION):
            return []
        return [
            ("any", "Any needs"),
            ("dietary", "Dietary requirements"),
            ("access", "Accessibility needs"),
            ("none", "None"),
        ]

    def queryset(self, request, queryset):
        if not request.user.has_perm(NEEDS_PERMISSION):
            return queryset
        dietary = ~Q(dietary_requirements="")
        access = ~Q(accessibility_needs="")
        condition = {
            "any": dietary | access,
            "dietary": dietary,
            "access": access,
            "none": ~(dietary | access),
        }.get(self.value())
        return queryset if condition is None else queryset.filter(condition)


@admin.action(
    description="Confirm the agencies the selected delegates typed in",
    permissions=["confirm_agency"],
)
def confirm_typed_in_agencies(modeladmin, request, queryset):
    agency_ids = set(queryset.values_list("agency_id", flat=True))
    agencies = Agency.objects.filter(pk__in=agency_ids, is_confirmed=False)
    names = sorted(agencies.values_list("name", flat=True))
    agencies.update(is_confirmed=True)
    if names:
        modeladmin.message_user(
            request,
            f"Confirmed {len(names)} {'agency' if len(names) == 1 else 'agencies'}: "
            f"{', '.join(names)}.",
            messages.SUCCESS,
        )
    else:
        modeladmin.message_user(
            request, "The selected delegates' agencies were already confirmed.", messages.INFO
        )


class DetailChangeInline(ProtectsFields, admin.TabularInline):
    """Which of their details a delegate (or an organiser for them) changed, and when."""

    model = DetailChange
    fk_name = "delegate"
    verbose_name_plural = "changes of details"
    fields = ["at", "changed", "by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="by")
    def by(self, change):
        return change.by


@admin.register(Delegate)
class DelegateAdmin(ProtectsFields, admin.ModelAdmin):
    # Short headings and no navigation sidebar, so the list reads at 1280 px (see changelist_view).
    list_display = ["name", "email", "agency", "day_one", "day_two", "status"]
    list_filter = [
        "status",
        "attends_day_one",
        "attends_day_two",
        ("agency__kind", AgencyKindFilter),
        ("agency", admin.RelatedOnlyFieldListFilter),
        ("agency__is_confirmed", AgencyConfirmedFilter),
        EmailConfirmedFilter,
    ]
    list_select_related = ["agency"]
    search_fields = ["first_name", "last_name", "email", "agency__name"]
    autocomplete_fields = ["agency"]
    readonly_fields = [
        "invitation",
        "registered_at",
        "updated_at",
        "privacy_accepted_at",
        "privacy_notice_version",
        "needs_consent_at",
        "anonymised_at",
        "email_confirmed_at",
    ]
    actions = [
        "approve_registrations",
        "confirm_email_addresses",
        confirm_typed_in_agencies,
        erase_delegates,
    ]
    # Where the fields that follow the registration's own go (the workshops app adds its own).
    extra_fields = []

    @admin.display(description="name", ordering="last_name")
    def name(self, delegate):
        return delegate.full_name

    @admin.display(description="day 1", boolean=True, ordering="attends_day_one")
    def day_one(self, delegate):
        return delegate.attends_day_one

    @admin.display(description="day 2", boolean=True, ordering="attends_day_two")
    def day_two(self, delegate):
        return delegate.attends_day_two

    def changelist_view(self, request, extra_context=None):
        # The list needs the width: the filters take a column already (the breadcrumbs and
        # the site header still lead everywhere).
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_list_filter(self, request):
        list_filter = super().get_list_filter(request)
        if request.user.has_perm(NEEDS_PERMISSION):
            return [*list_filter, NeedsFilter]
        return list_filter

    def has_confirm_agency_permission(self, request):
        return request.user.has_perm("registration.change_agency")

    def get_fields(self, request, obj=None):
        fields = [
            "event",
            "first_name",
            "last_name",
            "email",
            "email_confirmed_at",
            "agency",
            "job_title",
            "phone",
            "attends_day_one",
            "attends_day_two",
            "badge_name",
            *NEEDS_FIELDS,
            "status",
            "invitation",
            *self.extra_fields,
            "privacy_accepted_at",
            "privacy_notice_version",
            "needs_consent_at",
            "anonymised_at",
            "registered_at",
            "updated_at",
        ]
        # Needs and contact details go for those who may not read them (ProtectsFields).
        return self._readable_fields(request, fields)

    def save_model(self, request, obj, form, change):
        if not change:
            now = timezone.now()
            # An organiser adding someone vouches for the address: no code to type.
            obj.email_confirmed_at = obj.email_confirmed_at or now
            # Read-only here but required: the organiser records them under today's notice.
            obj.privacy_accepted_at = obj.privacy_accepted_at or now
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is not None:
            readonly.append("status")  # cancel with the action, so seats are released
        return readonly

    @admin.action(
        description="Approve the selected registrations awaiting approval", permissions=["change"]
    )
    def approve_registrations(self, request, queryset):
        pending = list(queryset.filter(status=Delegate.Status.PENDING))
        with sending_together():
            for delegate in pending:
                approve_registration(delegate=delegate)
        skipped = queryset.count() - len(pending)
        note = f" {skipped} were not awaiting approval and were left alone." if skipped else ""
        self.message_user(
            request, f"Approved {len(pending)} registrations.{note}", messages.SUCCESS
        )
        warn_about_waiting_email(admin=self, request=request)

    @admin.action(
        description="Confirm the email addresses of the selected delegates", permissions=["change"]
    )
    def confirm_email_addresses(self, request, queryset):
        """For an organiser who knows the address is right (they heard from its owner)."""
        confirmed, refused = 0, []
        for delegate in queryset.filter(email_confirmed_at__isnull=True):
            try:
                confirm_email_address(delegate=delegate)
            except NotEligible as error:
                refused.append(f"{delegate}: {error.message}")
            else:
                confirmed += 1
        self.message_user(request, f"Confirmed {confirmed} email addresses.", messages.SUCCESS)
        for refusal in refused:
            self.message_user(request, refusal, messages.ERROR)
