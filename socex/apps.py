from django.contrib.admin.apps import AdminConfig


class SocexAdminConfig(AdminConfig):
    """django.contrib.admin, with our site (second factor) as `admin.site`."""

    default_site = "socex.admin_site.SocexAdminSite"

    def ready(self):
        super().ready()
        from socex import (
            checks,  # noqa: F401  (registers the deploy checks)
            converters,  # noqa: F401  (registers <id:...> before any URLconf)
        )
