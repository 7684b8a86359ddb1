"""Admin sign-in lockouts: django-axes' database handler with a ceiling per username.

Axes counts failures per (username, client address) (`AXES_LOCKOUT_PARAMETERS`),
so a stranger guessing the organiser's password locks out only their own
address. Axes has one failure limit for every parameter set, so a looser
ceiling per username over all addresses (`AXES_USERNAME_FAILURE_LIMIT`) is
added here, against guessing spread over many addresses. Each address counts
at most `AXES_FAILURE_LIMIT` towards it, and reaching it locks out only the
addresses that have themselves failed for that username: guesses from four
addresses lock those four out at once, never the organiser signing in from
an address of their own (an outsider who knows the username must not be able
to lock its owner out).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class SignInLockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or self.is_username_at_ceiling(
            request, credentials
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        """Record the failure as axes does; the one that reaches the ceiling gets the lockout page.

        Side effects: writes axes' AccessAttempt row; flags the request as locked out.
        """
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if not self.is_whitelisted(request, credentials) and self.is_username_at_ceiling(
            request, credentials
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials

    def is_username_at_ceiling(self, request, credentials=None):
        ceiling = settings.AXES_USERNAME_FAILURE_LIMIT
        username = get_client_username(request, credentials)
        if not ceiling or not settings.AXES_LOCK_OUT_AT_FAILURE or username is None:
            return False
        per_address = get_failure_limit(request, credentials)
        by_address = username_failures(username, request=request)
        if not by_address.get(get_client_ip_address(request)):
            return False  # This address never failed for the username: its owner, perhaps.
        return sum(min(n, per_address) for n in by_address.values()) >= ceiling


def username_failures(username, *, request):
    """Failures for `username` within the cool-off, by client address."""
    attempts = AccessAttempt.objects.filter(username=username)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    by_address = (
        attempts.order_by().values("ip_address").annotate(failures=Sum("failures_since_start"))
    )
    return {row["ip_address"]: row["failures"] for row in by_address}
