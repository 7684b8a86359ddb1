"""A delegate's own data through their booking link: a copy as JSON, and erasure."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from registration.services.privacy import erase_delegate, export_delegate_data
from registration.views.access import delegate_required, sign_out_delegate


@delegate_required
def my_data(request):
    response = HttpResponse(
        json.dumps(
            export_delegate_data(delegate=request.delegate),
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            indent=2,
        ),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="socex-my-data.json"'
    return response


@delegate_required
@require_http_methods(["GET", "POST"])
def erase(request):
    """Confirm, then erase. Allowed after the change deadline too: it is the delegate's right."""
    delegate = request.delegate
    if request.method == "POST":
        erase_delegate(delegate=delegate)
        sign_out_delegate(request)
        return render(request, "socex/erased.html")
    return render(request, "socex/erase.html", {"delegate": delegate})
