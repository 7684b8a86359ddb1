"""The organisers' erase action for the delegate admin, with a confirmation step."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from registration.services.privacy import erase_delegate
from socex.admin_messages import counted, report_counts


@admin.action(
    description="Erase the selected delegates' personal data (frees their seats)",
    permissions=["delete"],
)
def erase_delegates(modeladmin, request, queryset):
    """First show what will happen; erase only when the organiser confirms."""
    if request.POST.get("confirm_erase") == "yes":
        delegates = list(queryset)
        for delegate in delegates:
            erase_delegate(delegate=delegate)
        report_counts(
            modeladmin,
            request,
            counted(
                len(delegates),
                "%(count)d delegate was erased: seats released, personal fields anonymised.",
                "%(count)d delegates were erased: seats released, personal fields anonymised.",
            ),
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Erase personal data?",
        "delegates": queryset.select_related("agency"),
        # "Select all N": found again from the list's filters, not N hidden fields.
        "select_across": request.POST.get("select_across") == "1",
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action": "erase_delegates",
    }
    return TemplateResponse(request, "admin/registration/erase_delegates.html", context)
