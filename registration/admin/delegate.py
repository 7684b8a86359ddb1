"""Delegates in the admin: their registration, needs (for those allowed), approval and erasure.

The workshops app extends this with seats (`workshops.admin.delegate`): it
registers its own subclass in place of this one, so the delegate page shows
their workshops while registration knows nothing of them.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from outbox.admin import warn_about_waiting_email
from outbox.services import sending_together
from registration.admin.privacy import erase_delegates
from registration.admin.protected import ProtectsFields
from registration.models import Agency, Delegate, DetailChange, Event, name_order
from registration.services.confirmation import confirm_email_address
from registration.services.eligibility import NotEligible, NotPending, approve_registration
from registration.services.registration import add_delegate
from socex.admin_messages import counted, report_counts

NEEDS_PERMISSION = Delegate.NEEDS_PERMISSION
NEEDS_FIELDS = Delegate.NEEDS_FIELDS
ONE_LIVE_REGISTRATION = next(
    c for c in Delegate._meta.constraints if c.name == "delegate_one_live_registration_per_email"
)


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
        report_counts(
            modeladmin,
            request,
            counted(
                len(names),
                "%(count)d agency was confirmed: %(names)s.",
                "%(count)d agencies were confirmed: %(names)s.",
                names=", ".join(names),
            ),
        )
    else:
        modeladmin.message_user(
            request, "The selected delegates' agencies were already confirmed.", messages.INFO
        )


class NamedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete box, with a placeholder and an accessible name even when empty.

    select2 names its box by the choice it shows, and Django leaves the
    placeholder empty, so an empty box had no name (axe: aria-input-field-name).
    The placeholder shows what to type; `js/admin_autocomplete.js` names the
    box by its label.
    """

    def __init__(self, *args, placeholder, **kwargs):
        super().__init__(*args, **kwargs)
        self.placeholder = placeholder

    @property
    def media(self):
        # Named after Django's autocomplete.js, so the merge keeps ours after it (alone,
        # ours landed before jquery.init.js, with no django.jQuery to hook into).
        return super().media + forms.Media(
            js=["admin/js/autocomplete.js", "js/admin_autocomplete.js"]
        )

    def build_attrs(self, base_attrs, extra_attrs=None):
        return {
            **super().build_attrs(base_attrs, extra_attrs),
            "data-placeholder": self.placeholder,
        }


class AddDelegateForm(forms.ModelForm):
    """The admin's "Add delegate": the delegate's details, and why an organiser is adding them."""

    address_known = forms.BooleanField(
        required=False,
        label="They have shown me this address is theirs",
        help_text="Tick only if they wrote to you from it, or gave it to you in person. "
        "Otherwise their email asks them to open their booking link to confirm it, and "
        "until they do they cannot hold seats.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "added_basis" in self.fields:
            self.fields["added_basis"].required = True
            self.fields["added_basis"].help_text = (
                "Why you are adding them. They never see the registration form's privacy "
                "notice: their email links to it, and none is recorded as agreed."
            )

    def clean(self):
        data = super().clean()
        email, event = (data.get("email") or "").strip().lower(), data.get("event")
        # Status is not on this form, so Django skips the one-live-registration constraint.
        taken = Delegate.objects.exclude(status=Delegate.Status.CANCELLED).filter(
            event=event, email=email
        )
        if email and event and taken.exists():
            self.add_error("email", ONE_LIVE_REGISTRATION.violation_error_message)
        return data


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
    # Names as a reader files them ("de Souza" under D), as on every export.
    ordering = name_order()
    autocomplete_fields = ["agency"]
    readonly_fields = [
        "how_registered",
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

    @admin.display(description="name", ordering=name_order()[0])
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

    @admin.display(description="how they registered")
    def how_registered(self, delegate):
        if delegate.pk is None:
            return "-"
        if not delegate.was_added_by_organiser:
            return (
                "Registered themselves, agreeing to privacy notice version "
                f"{delegate.privacy_notice_version}."
            )
        by = delegate.added_by.get_username() if delegate.added_by else "an organiser since removed"
        when = date_format(timezone.localtime(delegate.registered_at), "j F Y, H:i")
        note = f" Note: {delegate.added_note}" if delegate.added_note else ""
        return (
            f"Added by {by} on {when}, as: {delegate.get_added_basis_display()}. "
            "They did not see the registration form, so no privacy notice was agreed to; "
            f"their email linked to notice version {delegate.privacy_notice_version}.{note}"
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            kwargs["widget"] = NamedAutocompleteSelect(
                db_field, self.admin_site, placeholder="Search agencies by name"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        """Adding a delegate starts on the event the site serves (usually the only one)."""
        initial = super().get_changeform_initial_data(request)
        if "event" not in initial:
            current = Event.objects.current()
            if current is not None:
                initial["event"] = current.pk
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AddDelegateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            # Adding: their details and why; the registration's record fields come after.
            fields = [
                "event",
                "first_name",
                "last_name",
                "email",
                "agency",
                "job_title",
                "phone",
                "attends_day_one",
                "attends_day_two",
                "badge_name",
                *NEEDS_FIELDS,
                "added_basis",
                "added_note",
                "address_known",
                *self.extra_fields,
            ]
            return self._readable_fields(request, fields)
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
            "how_registered",
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
        if change:
            super().save_model(request, obj, form, change)
            return
        add_delegate(
            delegate=obj,
            added_by=request.user,
            basis=obj.added_basis,
            note=obj.added_note,
            address_known=form.cleaned_data["address_known"],
        )

    def response_add(self, request, obj, post_url_continue=None):
        if obj.email_is_confirmed:
            sent = f"We have emailed {obj} their booking link."
        else:
            sent = (
                f"We have emailed {obj} a booking link; opening it confirms their address, "
                "and until then they cannot hold seats."
            )
        self.message_user(request, sent, messages.INFO)
        warn_about_waiting_email(admin=self, request=request)
        return super().response_add(request, obj, post_url_continue)

    def log_addition(self, request, obj, message):
        # The history says who added them and why, in words, beside Django's own record.
        note = f" ({obj.added_note})" if obj.added_note else ""
        confirmed = (
            "address confirmed by the organiser"
            if obj.email_is_confirmed
            else "emailed a link to confirm their address"
        )
        message = f"Added by an organiser as: {obj.get_added_basis_display()}{note}; {confirmed}."
        return super().log_addition(request, obj, message)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is not None:
            readonly.append("status")  # cancel with the action, so seats are released
        return readonly

    @admin.action(
        description="Approve the selected registrations awaiting approval", permissions=["change"]
    )
    def approve_registrations(self, request, queryset):
        selected = queryset.count()  # before approving moves them out of a status filter
        approved = 0
        with sending_together():
            for delegate in queryset.filter(status=Delegate.Status.PENDING):
                try:
                    approve_registration(delegate=delegate)
                except NotPending:
                    continue  # approved (or cancelled) by someone else meanwhile
                approved += 1
        report_counts(
            self,
            request,
            counted(
                approved,
                "%(count)d registration was approved.",
                "%(count)d registrations were approved.",
            ),
            skipped=(
                selected - approved,
                "%(count)d was not awaiting approval and was left alone.",
                "%(count)d were not awaiting approval and were left alone.",
            ),
        )
        warn_about_waiting_email(admin=self, request=request)

    @admin.action(
        description="Confirm the email addresses of the selected delegates", permissions=["change"]
    )
    def confirm_email_addresses(self, request, queryset):
        """For an organiser who knows the address is right (they heard from its owner)."""
        selected = queryset.count()  # before confirming moves them out of a filter
        confirmed, refused = 0, []
        for delegate in queryset.filter(email_confirmed_at__isnull=True):
            try:
                confirm_email_address(delegate=delegate)
            except NotEligible as error:
                refused.append(f"{delegate}: {error.message}")
            else:
                confirmed += 1
        report_counts(
            self,
            request,
            counted(
                confirmed,
                "%(count)d email address was confirmed.",
                "%(count)d email addresses were confirmed.",
            ),
            skipped=(
                selected - confirmed - len(refused),
                "%(count)d was confirmed already.",
                "%(count)d were confirmed already.",
            ),
        )
        for refusal in refused:
            self.message_user(request, refusal, messages.ERROR)
