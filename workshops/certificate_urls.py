from django.urls import path

from workshops.views import certificates

app_name = "certificates"

urlpatterns = [
    path("", certificates.find, name="find"),
    path("<str:code>/", certificates.verify, name="verify"),
]
