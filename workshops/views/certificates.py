"""Attendance certificates: the delegate's download, and the public page that checks one."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from registration.views.access import delegate_required
from socex.ratelimit import rate_limited
from workshops.forms.feedback import CertificateCodeForm, CertificateNameForm
from workshops.services.certificates import (
    CertificateNotReady,
    certificate_filename,
    certificate_for,
    certificate_pdf,
    format_code,
    parse_code,
    verify_certificate,
)


@delegate_required
@require_GET
def download(request):
    delegate = request.delegate
    try:
        certificate = certificate_for(delegate=delegate)
    except CertificateNotReady as error:
        return render(
            request, "socex/certificate_not_ready.html", {"message": str(error)}, status=404
        )
    response = HttpResponse(
        certificate_pdf(delegate=delegate, certificate=certificate),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate_filename(certificate)}"'
    return response


@require_GET
def find(request):
    """The form to type a code, for a certificate read on paper."""
    form = CertificateCodeForm(request.GET or None)
    if form.is_valid():
        code = parse_code(form.cleaned_data["code"])
        if code:
            return redirect("certificates:verify", code=format_code(code))
        form.add_error("code", "Type the code printed on the certificate, such as 7KQ2-M9PD.")
    return render(
        request,
        "socex/certificate_find.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("certificate_name", email=lambda request: "")
def verify(request, code):
    certificate = verify_certificate(code=code)
    name_form = CertificateNameForm(request.POST if request.method == "POST" else None)
    if certificate is not None and request.method == "POST" and name_form.is_valid():
        certificate = verify_certificate(code=code, name=name_form.cleaned_data["name"])
    status = 200
    if certificate is None:
        status = 404
    elif name_form.errors:
        status = 400
    return render(
        request,
        "socex/certificate_verify.html",
        {
            "certificate": certificate,
            "code": code,
            "name_form": name_form,
            "checked_name": name_form.cleaned_data.get("name") if name_form.is_bound else "",
            "action": reverse("certificates:verify", args=[code]),
        },
        status=status,
    )
