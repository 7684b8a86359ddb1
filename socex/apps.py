from django.contrib.admin.apps import AdminConfig


class SocexAdminConfig(AdminConfig):
    """django.contrib.admin, with our site (second factor) as `admin.site`."""

    default_site = "socex.admin_site.SocexAdminSite"

    def ready(self):
        super().ready()
        from django.contrib import admin

        from socex import (
            checks,  # noqa: F401  (registers the deploy checks)
            collation,  # noqa: F401  (registers the SQLite name collation on each connection)
            converters,  # noqa: F401  (registers <id:...> before any URLconf)
        )
        from socex.account_admin import register_account_admin  # needs the apps loaded
        from socex.lockout_admin import register_lockout_admin

        # After autodiscovery, which registered axes' and auth's own.
        register_lockout_admin(admin.site)
        register_account_admin(admin.site)
