"""Facilitators' pages, under /facilitate/ (see `workshops.views.facilitator`)."""

from django.urls import path

from workshops.views import facilitator

app_name = "facilitators"

urlpatterns = [
    path("", facilitator.home, name="home"),
    path("sign-in/", facilitator.request_link, name="request_link"),
    path("link/<str:token>/", facilitator.open_link, name="open_link"),
    path("sign-out/", facilitator.sign_out, name="sign_out"),
    path("sessions/<id:session_id>/", facilitator.session, name="session"),
    path("sessions/<id:session_id>/email/", facilitator.session_email, name="session_email"),
]
