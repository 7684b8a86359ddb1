"""Agencies in the admin: who may register from each, and their place limits."""

from django.contrib import admin
from django.db.models import Case, IntegerField, Q, Value, When

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

    def get_search_results(self, request, queryset, search_term):
        """Search as Django does; in an autocomplete box, best matches first.

        Typing "NCA" should offer the National Crime Agency (alias "NCA") before
        Lancashire, whose name merely contains the letters: an exact name or alias
        first, then names starting with the term or aliases holding it, then the
        rest, each group by name.
        """
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and request.path.endswith("/autocomplete/"):
            queryset = queryset.annotate(
                match_rank=Case(
                    When(Q(name__iexact=term) | _alias_is(term), then=Value(0)),
                    When(Q(name__istartswith=term) | Q(aliases__icontains=term), then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            ).order_by("match_rank", "name", "pk")
        return queryset, may_have_duplicates

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


def _alias_is(term):
    """Agencies with `term` as one of their alias lines (any case; \\n or \\r\\n endings)."""
    return (
        Q(aliases__iexact=term)
        | Q(aliases__istartswith=f"{term}\n")
        | Q(aliases__istartswith=f"{term}\r\n")
        | Q(aliases__iendswith=f"\n{term}")
        | Q(aliases__icontains=f"\n{term}\n")
        | Q(aliases__icontains=f"\n{term}\r\n")
    )
