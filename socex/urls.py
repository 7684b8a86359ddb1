from django.contrib import admin
from django.urls import include, path

from registration import views as registration_views

admin.site.site_header = "SOCEX organisers"
admin.site.site_title = "SOCEX organisers"
admin.site.index_title = "Run the conference"

urlpatterns = [
    path("", registration_views.home, name="home"),
    path("register/", registration_views.register, name="register"),
    path("privacy/", registration_views.privacy, name="privacy"),
    path("accessibility/", registration_views.accessibility, name="accessibility"),
    path("booking/", include("workshops.urls")),
    path("admin/", admin.site.urls),
]
