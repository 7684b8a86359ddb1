"""A delegate changes their own details from their booking page."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from registration.forms.details import DetailsForm
from registration.services.details import update_details
from registration.views.access import delegate_required
from registration.views.confirmation import confirm_address_first


@delegate_required
@require_http_methods(["GET", "POST"])
def edit_details(request):
    delegate = request.delegate
    if not delegate.event.changes_are_open():
        return render(request, "socex/changes_closed.html", {"event": delegate.event})
    if not delegate.email_is_confirmed:
        return confirm_address_first(request, doing="change your details")
    form = DetailsForm(request.POST if request.method == "POST" else None, instance=delegate)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        needs_consent = data.pop("needs_consent")
        # The form wrote the cleaned values onto `delegate`; the service compares with the row.
        changed = update_details(delegate=delegate, changes=data, needs_consent=needs_consent)
        if changed:
            messages.success(request, f"Saved: {', '.join(changed)}. We have emailed you a note.")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("workshops:manage")
    return render(
        request,
        "socex/edit_details.html",
        {"form": form, "delegate": delegate, "history": delegate.detail_changes.all()[:20]},
    )
