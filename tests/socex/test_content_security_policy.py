import pytest
from csp.constants import NONCE
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from socex.content_security_policy import CachedPolicyCSPMiddleware

POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]}}


def headers_from(middleware_class, view, *, path="/register/"):
    request = RequestFactory().get(path)
    response = middleware_class(view)(request)
    return {
        name: value for name, value in response.headers.items() if "Security-Policy" in name
    }, request


def plain_view(request):
    return HttpResponse("page")


def view_using_nonce(request):
    return HttpResponse(str(request.csp_nonce))


@csp_update({"img-src": "https://maps.example"})
def updated_view(request):
    return HttpResponse("page")


@csp_exempt()
def exempt_view(request):
    return HttpResponse("page")


@pytest.mark.parametrize("view", [plain_view, updated_view, exempt_view])
def test_cached_policy_headers_equal_django_csp(view):
    assert headers_from(CachedPolicyCSPMiddleware, view)[0] == headers_from(CSPMiddleware, view)[0]


def test_cached_policy_headers_equal_django_csp_when_report_only():
    report_only = {"CONTENT_SECURITY_POLICY": None, "CONTENT_SECURITY_POLICY_REPORT_ONLY": POLICY}
    with override_settings(**report_only):
        ours, _ = headers_from(CachedPolicyCSPMiddleware, plain_view)
        theirs, _ = headers_from(CSPMiddleware, plain_view)
    assert list(ours) == ["Content-Security-Policy-Report-Only"]
    assert ours == theirs


def test_cached_policy_follows_changed_settings():
    with override_settings(CONTENT_SECURITY_POLICY=POLICY):
        headers, _ = headers_from(CachedPolicyCSPMiddleware, plain_view)
    assert headers["Content-Security-Policy"] in (
        "default-src 'self'; script-src 'self'",
        "script-src 'self'; default-src 'self'",
    )
    headers, _ = headers_from(CachedPolicyCSPMiddleware, plain_view)
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_cached_policy_puts_a_used_nonce_in_the_header():
    with override_settings(CONTENT_SECURITY_POLICY=POLICY):
        request = RequestFactory().get("/")
        response = CachedPolicyCSPMiddleware(view_using_nonce)(request)
    nonce = response.content.decode()
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]


def test_cached_policy_excluded_prefix_gets_no_header():
    excluded = {**POLICY, "EXCLUDE_URL_PREFIXES": ["/admin/"]}
    with override_settings(CONTENT_SECURITY_POLICY=excluded):
        headers, _ = headers_from(CachedPolicyCSPMiddleware, plain_view, path="/admin/")
    assert headers == {}


def test_cached_policy_nonce_asked_after_headers_raises():
    _, request = headers_from(CachedPolicyCSPMiddleware, plain_view)
    with pytest.raises(Exception, match="not available after the CSP header"):
        str(request.csp_nonce)
