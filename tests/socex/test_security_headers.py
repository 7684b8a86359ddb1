import re

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import AgencyFactory, DelegateFactory, InvitationFactory, SessionFactory

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.IGNORECASE)


def csp_directives(response):
    policy = response.headers["Content-Security-Policy"]
    return dict(
        (part.split()[0], " ".join(part.split()[1:])) for part in policy.split(";") if part.strip()
    )


def test_home_page_sends_security_headers(client, event):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Permissions-Policy"].startswith("camera=(), microphone=()")


def test_home_page_csp_forbids_inline_code_and_framing(client, event):
    directives = csp_directives(client.get(reverse("home")))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in " ".join(directives.values())


def test_hsts_sent_on_https_requests(client, event):
    response = client.get(reverse("home"), secure=True)
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


@override_settings(SECURE_SSL_REDIRECT=True)
def test_ssl_redirect_sends_plain_http_to_https(client, event):
    response = client.get(reverse("home"))
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


@override_settings(
    SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_ssl_redirect_trusts_proxy_header(client, event):
    response = client.get(reverse("home"), headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url_name", ["home", "register", "privacy", "accessibility", "registration:request_link"]
)
def test_public_pages_have_no_inline_script_or_style(client, event, url_name):
    content = client.get(reverse(url_name)).content.decode()
    assert INLINE_SCRIPT.findall(content) == []
    assert INLINE_STYLE.findall(content) == []


def test_admin_pages_work_without_inline_script_or_style(admin_client, programme):
    """Django's admin needs no 'unsafe-inline': the pages organisers use have none."""
    delegate = DelegateFactory(event=programme["event"])
    agency = AgencyFactory()
    invitation = InvitationFactory(event=programme["event"])
    session = SessionFactory(workshop=programme["workshops"][0])
    urls = [
        reverse("admin:index"),
        reverse("admin_dashboard"),
        reverse("admin:registration_delegate_changelist"),
        reverse("admin:registration_delegate_change", args=[delegate.pk]),
        reverse("admin:registration_delegate_workshops", args=[delegate.pk]),
        reverse("admin:registration_agency_change", args=[agency.pk]),
        reverse("admin:registration_invitation_add"),
        reverse("admin:registration_invitation_change", args=[invitation.pk]),
        reverse("admin:workshops_session_change", args=[session.pk]),
        reverse("admin:workshops_workshop_changelist"),
        reverse("admin:otp_totp_totpdevice_add"),
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert INLINE_SCRIPT.findall(content) == [], url
        assert INLINE_STYLE.findall(content) == [], url
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
