"""Admin actions that download the selected delegates or sessions.

Mixed into `DelegateAdmin` and `SessionAdmin`; each action appears only for
users who may have that download, and goes through `download` like the
exports page, so it is checked and recorded the same way (and a large one is
built by a worker, `download_or_queue`).
"""

from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR

from workshops.exports.background import download_or_queue
from workshops.exports.downloads import (
    ATTENDEES,
    BADGES,
    ROSTERS,
    SIGN_IN_SHEETS,
    may_download,
)


def list_selection(request, queryset):
    """How an action's rows were chosen: the list's query string, and the ids ticked or "all"."""
    if request.POST.get("select_across") == "1":
        selected = "all"
    else:
        selected = list(queryset.order_by("pk").values_list("pk", flat=True))
    return {"query": request.GET.urlencode(), "selected": selected}


def download_action(export, file_format, description):
    def action(modeladmin, request, queryset):
        scope = "sessions" if export.per_session else "delegates"
        return download_or_queue(
            export=export,
            file_format=file_format,
            user=request.user,
            subject=f"{queryset.count()} selected",
            filters=list_selection(request, queryset),
            **{scope: queryset},
        )

    action.__name__ = f"download_{export.slug.replace('-', '_')}_{file_format}"
    action.export = export
    return admin.action(description=description, permissions=["download"])(action)


class ExportActionsMixin:
    export_actions = []

    def has_download_permission(self, request):
        """May have one of this list's downloads; each is offered only to those who may have it."""
        return any(may_download(user=request.user, export=a.export) for a in self.export_actions)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        for action in self.export_actions:
            if may_download(user=request.user, export=action.export):
                actions[action.__name__] = (action, action.__name__, action.short_description)
        return actions


class DelegateExportActions(ExportActionsMixin):
    export_actions = [
        download_action(ATTENDEES, "csv", "Download the selected as an attendee list (CSV)"),
        download_action(ATTENDEES, "xlsx", "Download the selected as an attendee list (XLSX)"),
        download_action(BADGES, "pdf", "Print name badges for the selected (PDF)"),
    ]


class SessionExportActions(ExportActionsMixin):
    export_actions = [
        download_action(ROSTERS, "csv", "Download the rosters of the selected sessions (CSV)"),
        download_action(ROSTERS, "xlsx", "Download the rosters of the selected sessions (XLSX)"),
        download_action(SIGN_IN_SHEETS, "pdf", "Print sign-in sheets for the selected (PDF)"),
    ]
