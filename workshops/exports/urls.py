from django.contrib import admin
from django.urls import path

from workshops.exports import views

app_name = "exports"

urlpatterns = [
    path("", admin.site.admin_view(views.exports_index), name="index"),
    path("files/<id:file_id>/", admin.site.admin_view(views.file_status), name="file"),
    path(
        "files/<id:file_id>/download",
        admin.site.admin_view(views.file_download),
        name="file_download",
    ),
    path(
        "<slug:slug>.<str:file_format>",
        admin.site.admin_view(views.event_download),
        name="event_download",
    ),
    path(
        "days/<str:day>/<slug:slug>.<str:file_format>",
        admin.site.admin_view(views.day_download),
        name="day_download",
    ),
    path(
        "sessions/<id:session_id>/<slug:slug>.<str:file_format>",
        admin.site.admin_view(views.session_download),
        name="session_download",
    ),
]
