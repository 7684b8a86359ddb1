from django.urls import path

from . import views, waitlist_views

app_name = "workshops"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("workshops/", views.choose, name="choose"),
    path("confirmed/", views.confirmed, name="confirmed"),
    path("calendar.ics", views.calendar, name="calendar"),
    path("cancel/", views.cancel, name="cancel"),
    path("link/", views.request_link, name="request_link"),
    path("link/<str:token>/", views.open_link, name="open_link"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("waiting-list/join/", waitlist_views.join, name="join_waitlist"),
    path("waiting-list/leave/", waitlist_views.leave, name="leave_waitlist"),
]
