"""The address a request came from, for rate limits and login lockouts.

Behind a reverse proxy every request arrives from the proxy, so the client's
address is taken from `X-Forwarded-For`, but only as many hops from the right
as there are proxies we run (`TRUSTED_PROXY_COUNT`): anything further left was
written by the client and could be forged to dodge a limit.
"""

from django.conf import settings


def client_ip(request):
    """The client's address, or None when the request has none (e.g. a test's force_login)."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < proxies:
        return remote
    return hops[-proxies]
