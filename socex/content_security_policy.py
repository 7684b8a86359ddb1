"""django-csp's middleware, building each policy header once per process rather than per response.

django-csp 4 builds the `Content-Security-Policy` header from the settings on every
response (copying its dataclass parts, its directives and every source list), twice:
once for the policy, once for the report-only one. That was about a tenth of
the CPU our middleware spends on a request. A response that no view decorated
(`csp_update`, `csp_replace`, `csp_override`, `csp_exempt`) and whose request
used no nonce gets the same policy every time, so it is built once and kept;
anything else takes django-csp's own path. Changing the settings (tests'
`override_settings`) forgets the kept headers.
"""

import http.client

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# What a view decorator leaves on a response for django-csp to build a different policy.
_PER_RESPONSE_PARTS = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
# (header, policy, excluded path prefixes, the response attribute that exempts it)
_headers = None


def _default_headers():
    global _headers
    if _headers is None:
        _headers = tuple(
            (
                header,
                build_policy(report_only=report_only),
                tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()),
                exempt,
            )
            for header, report_only, setting, exempt in (
                (HEADER, False, "CONTENT_SECURITY_POLICY", "_csp_exempt"),
                (HEADER_REPORT_ONLY, True, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro"),
            )
        )
    return _headers


@receiver(setting_changed)
def _forget_default_headers(*, setting, **kwargs):
    global _headers
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _headers = None


class CachedPolicyCSPMiddleware(CSPMiddleware):
    """`csp.middleware.CSPMiddleware`, with the settings' policies built once per process.

    Side effects: as django-csp's, sets the headers the response lacks and makes
    `request.csp_nonce` raise once the headers are written.
    """

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, part, None) is not None for part in _PER_RESPONSE_PARTS
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (
            http.client.INTERNAL_SERVER_ERROR,
            http.client.NOT_FOUND,
        ):
            return response
        for header, policy, excluded_prefixes, exempt in _default_headers():
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(excluded_prefixes)
            ):
                response[header] = policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
