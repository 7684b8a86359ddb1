from django.contrib.admin.apps import AdminConfig


class SocexAdminConfig(AdminConfig):
    """django.contrib.admin, with our site (second factor) as `admin.site`."""

    default_site = "socex.admin_site.SocexAdminSite"

    def ready(self):
        super().ready()
        from django.contrib import admin

        from socex import (
            checks,  # noqa: F401  (registers the deploy checks)
            converters,  # noqa: F401  (registers <id:...> before any URLconf)
        )
        from socex.lockout_admin import register_lockout_admin  # needs the apps loaded

        # After autodiscovery, which registered axes' own.
        register_lockout_admin(admin.site)
