"""Rate limits for the public forms, on Django's cache API.

A small fixed-window counter rather than a library: it works with every cache
backend we configure (Redis in production, local memory for `make run` and
tests), so no system check has to be silenced. Each limited view counts POSTs
per client address, per email address typed into the form from that client,
and per email address from every client under a looser ceiling; one over a
limit answers 429 with `socex/429.html`, before the view does any work.

The email is counted per client so that a stranger typing someone else's
address locks out only themselves. The ceiling over all clients counts only
posts the per-client limits let through: otherwise one stranger could reach it
alone by posting on after their own limit.

Limits come from settings (`RATE_LIMITS`, built from the environment);
`RATE_LIMITS=off` turns them all off, for load tests. With local memory each
server process counts on its own, so production points `CACHE_URL` or
`REDIS_URL` at Redis (`check --deploy` fails otherwise: socex.E001).
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
        hits = count_hit(key, timeout=period + 1)
    except Exception:
        logger.exception("Rate limit cache unavailable; letting the request through")
        return False
    return hits > limit


def count_hit(key, *, timeout):
    """Add one to the counter at `key` and return it, atomically across processes.

    `add` and `incr` are each one atomic step in Redis (a read then a write would
    let concurrent workers count the same hit twice as one).

    Side effects: creates or increments the counter in the default cache.
    """
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired or evicted since the add: start the count again
        return 1 if cache.add(key, 1, timeout=timeout) else cache.incr(key)


def posted_email(request):
    return request.POST.get("email", "")


def rate_limited(scope, *, email=posted_email):
    """Limit POSTs to the decorated view by client address and by an email address.

    `email(request)` names the address the request is about: by default the
    form's `email` field; a page that works on an address kept in the session
    passes a function that reads it from there.

    `settings.RATE_LIMITS[scope]` gives the rates: `ip` (per client), `email_per_ip`
    (per email from one client) and `email_all_ips` (per email from every client).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and settings.RATE_LIMITS_ENABLED:
                rates = settings.RATE_LIMITS[scope]
                if is_over_limits(request, scope=scope, rates=rates, email=email(request)):
                    return too_many_requests(request, retry_after=max(p for _, p in rates.values()))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def is_over_limits(request, *, scope, rates, email):
    """Count this POST against the scope's limits and say whether any is over.

    A scope without `email_per_ip` counts the address only over all clients (used
    where the address comes from the visitor's own session, not from a form).
    Side effects: increments up to three counters in the default cache.
    """
    ip = client_ip(request) or "unknown"
    email = (email or "").strip().lower()[:254]
    # Count both per-client kinds even when one is already over, so one cannot probe the other.
    blocked = [over_limit(scope=scope, kind="ip", value=ip, rate=rates["ip"])]
    if email and "email_per_ip" in rates:
        blocked.append(
            over_limit(
                scope=scope, kind="email_per_ip", value=f"{email}\n{ip}", rate=rates["email_per_ip"]
            )
        )
    if any(blocked):
        return True
    if not email:
        return False
    return over_limit(scope=scope, kind="email_all_ips", value=email, rate=rates["email_all_ips"])


def too_many_requests(request, *, retry_after):
    response = render(request, "socex/429.html", {"retry_minutes": max(1, retry_after // 60)})
    response.status_code = 429
    response["Retry-After"] = str(retry_after)
    return response
