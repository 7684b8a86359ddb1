"""django-axes' admin for sign-in lockouts, with its action declaring the permission it needs.

Registered in place of axes' own (`SocexAdminConfig.ready`), since every admin
action here says who may run it.
"""

from axes import admin as axes_admin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.contrib import admin


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    @admin.action(description="Clean up expired attempts", permissions=["delete"])
    def cleanup_expired_attempts(self, request, queryset):
        # axes reads the attempt time from the request, which only its sign-in checks set.
        AxesProxyHandler.update_request(request)
        return super().cleanup_expired_attempts(request, queryset)


def register_lockout_admin(site):
    """Replace axes' AccessAttempt admin on `site`, if axes registered one."""
    if site.is_registered(AccessAttempt):
        site.unregister(AccessAttempt)
        site.register(AccessAttempt, AccessAttemptAdmin)
