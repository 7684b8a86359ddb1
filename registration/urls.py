from django.urls import path

from registration.views import link

app_name = "registration"

urlpatterns = [
    path("link/", link.request_link, name="request_link"),
    path("link/<str:token>/", link.open_link, name="open_link"),
    path("sign-out/", link.sign_out, name="sign_out"),
]
