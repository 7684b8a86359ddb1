from django.contrib import admin
from django.urls import include, path

from registration.views import privacy as privacy_views
from registration.views import registration as registration_views
from socex.views import favicon
from workshops.admin.dashboard import dashboard_view

urlpatterns = [
    path("", registration_views.home, name="home"),
    path("favicon.ico", favicon),
    path("register/", registration_views.register, name="register"),
    path("privacy/", registration_views.privacy, name="privacy"),
    path("accessibility/", registration_views.accessibility, name="accessibility"),
    path("booking/my-data.json", privacy_views.my_data, name="my_data"),
    path("booking/erase/", privacy_views.erase, name="erase"),
    path("booking/", include("registration.urls")),
    path("booking/", include("workshops.urls")),
    path("checkin/", include("workshops.checkin_urls")),
    path("facilitate/", include("workshops.facilitator_urls")),
    path("feedback/", include("workshops.feedback_urls")),
    path("certificates/", include("workshops.certificate_urls")),
    path("admin/dashboard/", admin.site.admin_view(dashboard_view), name="admin_dashboard"),
    path("admin/exports/", include("workshops.exports.urls")),
    path("admin/", admin.site.urls),
]
