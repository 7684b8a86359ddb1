from django.urls import path

from workshops.views import booking, calendar_feed, certificates, waitlist

app_name = "workshops"

urlpatterns = [
    path("", booking.manage, name="manage"),
    path("workshops/", booking.choose, name="choose"),
    path("confirmed/", booking.confirmed, name="confirmed"),
    path("calendar.ics", booking.calendar, name="calendar"),
    path("calendar/subscribe/", calendar_feed.subscribe, name="calendar_subscribe"),
    path("calendar/feed/<str:token>.ics", calendar_feed.feed, name="calendar_feed"),
    path("certificate.pdf", certificates.download, name="certificate"),
    path("cancel/", booking.cancel, name="cancel"),
    path("waiting-list/join/", waitlist.join, name="join_waitlist"),
    path("waiting-list/leave/", waitlist.leave, name="leave_waitlist"),
]
