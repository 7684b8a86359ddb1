"""The check-in page and its calls, under /checkin/ (see `workshops.views.checkin`)."""

from django.urls import path

from workshops.views import checkin

app_name = "checkin"

urlpatterns = [
    path("", checkin.page, name="page"),
    path("scans/", checkin.scans, name="scans"),
    path("undo/", checkin.undo, name="undo"),
    path("search/", checkin.search, name="search"),
    path("door/", checkin.door, name="door"),
    path("standby/", checkin.standby, name="standby"),
    path("link/<str:token>/", checkin.open_link, name="open_link"),
    path("sign-out/", checkin.sign_out, name="sign_out"),
    path("signed-out/", checkin.signed_out, name="signed_out"),
]
