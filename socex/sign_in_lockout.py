"""Admin sign-in lockouts: django-axes' database handler with a ceiling per username.

Axes counts failures per (username, client address) (`AXES_LOCKOUT_PARAMETERS`),
so a stranger guessing the organiser's password locks out only their own
address. Axes has one failure limit for every parameter set, so the looser
ceiling per username over all addresses (`AXES_USERNAME_FAILURE_LIMIT`) is
added here. Each address counts at most `AXES_FAILURE_LIMIT` towards it:
failures made while already locked out still extend that address's lockout,
but one address alone can never lock the username out everywhere.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
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
        return username_failures(username, request=request, per_address=per_address) >= ceiling


def username_failures(username, *, request, per_address):
    """Failures for `username` within the cool-off, each address counting at most `per_address`."""
    attempts = AccessAttempt.objects.filter(username=username)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    by_address = (
        attempts.order_by().values("ip_address").annotate(failures=Sum("failures_since_start"))
    )
    return sum(min(row["failures"], per_address) for row in by_address)
