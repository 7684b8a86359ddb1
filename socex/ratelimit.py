"""Rate limits for the public forms, on Django's cache API.

A small fixed-window counter rather than a library: it works with every cache
backend we configure (Redis in production, local memory for `make run` and
tests), so no system check has to be silenced. Each limited view counts POSTs
per client address and per email address typed into the form; one over the
limit answers 429 with `socex/429.html`, before the view does any work.

Limits come from settings (`RATE_LIMITS`, built from the environment);
`RATE_LIMITS=off` turns them all off, for load tests. With local memory each
server process counts on its own, so production points `CACHE_URL` or
`REDIS_URL` at Redis.
"""

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from socex.client_ip import client_ip

logger = logging.getLogger(__name__)


def over_limit(*, scope, kind, value, rate, now=None):
    """Count one hit for `value` and say whether it went over `rate` = (count, seconds).

    Side effects: increments a counter in the default cache. If the cache is
    down, logs it and lets the request through: a registration matters more
    than a limit, and a 500 helps nobody.
    """
    limit, period = rate
    window = int((now or time.time()) // period)
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{kind}:{digest}:{window}"
    try:
        cache.add(key, 0, timeout=period + 1)
        try:
            hits = cache.incr(key)
        except ValueError:  # evicted between add and incr: start again
            cache.set(key, 1, timeout=period + 1)
            hits = 1
    except Exception:
        logger.exception("Rate limit cache unavailable; letting the request through")
        return False
    return hits > limit


def posted_email(request):
    return request.POST.get("email", "")


def rate_limited(scope, *, email=posted_email):
    """Limit POSTs to the decorated view by client address and by an email address.

    `email(request)` names the address the request is about: by default the
    form's `email` field; a page that works on an address kept in the session
    passes a function that reads it from there.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and settings.RATE_LIMITS_ENABLED:
                rates = settings.RATE_LIMITS[scope]
                address = (email(request) or "").strip().lower()[:254]
                hits = [("ip", client_ip(request) or "unknown")]
                if address:
                    hits.append(("email", address))
                # Count every kind even when one is already over, so one cannot probe the other.
                blocked = [
                    over_limit(scope=scope, kind=kind, value=value, rate=rates[kind])
                    for kind, value in hits
                ]
                if any(blocked):
                    return too_many_requests(request, retry_after=max(p for _, p in rates.values()))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def too_many_requests(request, *, retry_after):
    response = render(request, "socex/429.html", {"retry_minutes": max(1, retry_after // 60)})
    response.status_code = 429
    response["Retry-After"] = str(retry_after)
    return response
