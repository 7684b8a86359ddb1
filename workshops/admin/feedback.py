"""Feedback and certificates in the admin: each event's survey questions, the results per
session and per workshop (counts, response rate, a chart, free text, downloads), and the
certificates issued."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from registration.admin.protected import ProtectsFields
from registration.models import Event
from workshops.exports.downloads import FEEDBACK, download
from workshops.models import Certificate, Session, SurveyQuestions, Workshop
from workshops.services.certificates import format_code
from workshops.services.feedback import questions_for, session_summaries, survey_results

RESULTS_PERMISSION = "workshops.view_surveyanswer"


@admin.register(SurveyQuestions)
class SurveyQuestionsAdmin(ProtectsFields, admin.ModelAdmin):
    """The questions each event's session surveys ask, and the way to their results."""

    list_display = ["event", "rating_question", "first_question", "second_question", "results"]
    fields = ["event", "rating_question", "first_question", "second_question"]

    def get_changeform_initial_data(self, request):
        event = Event.objects.current()
        return {"event": event} if event else {}

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("results/", view(self.results_view), name="workshops_feedback_results"),
            path(
                "results/sessions/<id:session_id>/",
                view(self.session_results_view),
                name="workshops_feedback_session",
            ),
            path(
                "results/workshops/<id:workshop_id>/",
                view(self.workshop_results_view),
                name="workshops_feedback_workshop",
            ),
            path(
                "results/<str:scope>/<id:pk>/feedback.<str:file_format>",
                view(self.download_view),
                name="workshops_feedback_download",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "feedback_results": self._may_see(request)}
        return super().changelist_view(request, extra_context)

    @admin.display(description="results")
    def results(self, questions):
        return format_html(
            '<a href="{}">Feedback results</a>', reverse("admin:workshops_feedback_results")
        )

    def _may_see(self, request):
        return request.user.is_active and request.user.has_perm(RESULTS_PERMISSION)

    def _check(self, request):
        if not self._may_see(request):
            raise PermissionDenied("You may not see feedback.")

    def _context(self, request, **kwargs):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "may_download": request.user.has_perm(FEEDBACK.permission),
            **kwargs,
        }

    def results_view(self, request):
        """Every session of the current event: surveyed, answered, response rate, average."""
        self._check(request)
        event = Event.objects.current()
        sessions = list(session_summaries(event)) if event else []
        workshops = {}
        for session in sessions:
            row = workshops.setdefault(
                session.workshop_id, {"workshop": session.workshop, "surveyed": 0, "answered": 0}
            )
            row["surveyed"] += session.surveyed
            row["answered"] += session.answered
        return TemplateResponse(
            request,
            "admin/workshops/feedback_results.html",
            self._context(
                request,
                title="Feedback results",
                event=event,
                sessions=sessions,
                workshops=sorted(workshops.values(), key=lambda row: row["workshop"].title),
            ),
        )

    def _scope(self, scope, pk):
        if scope == "sessions":
            session = get_object_or_404(
                Session.objects.select_related("workshop", "time_slot", "room"), pk=pk
            )
            label = f"{session.workshop.title}: {session.time_slot.name}, {session.room.name}"
            return Session.objects.filter(pk=session.pk), label
        if scope == "workshops":
            workshop = get_object_or_404(Workshop, pk=pk)
            return Session.objects.filter(workshop=workshop), f"{workshop.title}: every session"
        raise Http404("No such results.")

    def _results(self, request, scope, pk):
        self._check(request)
        sessions, label = self._scope(scope, pk)
        return TemplateResponse(
            request,
            "admin/workshops/feedback_detail.html",
            self._context(
                request,
                title=f"Feedback: {label}",
                results=survey_results(sessions),
                questions=self._questions(sessions),
                scope=scope,
                pk=pk,
                per_workshop=scope == "workshops",
            ),
        )

    def _questions(self, sessions):
        session = sessions.select_related("time_slot__event").first()
        return questions_for(session.time_slot.event) if session else None

    def session_results_view(self, request, session_id):
        return self._results(request, "sessions", session_id)

    def workshop_results_view(self, request, workshop_id):
        return self._results(request, "workshops", workshop_id)

    def download_view(self, request, scope, pk, file_format):
        self._check(request)
        if file_format not in FEEDBACK.formats:
            raise Http404("No such download.")
        sessions, label = self._scope(scope, pk)
        return download(
            export=FEEDBACK,
            file_format=file_format,
            user=request.user,
            sessions=sessions,
            subject=label,
        )


@admin.register(Certificate)
class CertificateAdmin(ProtectsFields, admin.ModelAdmin):
    """Certificates issued: what each certifies, and withdrawing one issued in error."""

    list_display = ["formatted_code", "event_name", "session_count", "issued_at", "state"]
    list_filter = ["event", "revoked_at"]
    search_fields = ["=code"]
    readonly_fields = ["formatted_code", "event_name", "sessions", "minutes", "issued_at"]
    fields = [*readonly_fields, "emailed_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "emailed_at"]

    def has_add_permission(self, request):
        return False  # issued to delegates who attended, never typed in

    def get_search_results(self, request, queryset, search_term):
        # The code is printed with a dash and typed in any case.
        code = "".join(ch for ch in search_term.upper() if ch.isalnum())
        return super().get_search_results(request, queryset, code)

    @admin.display(description="code", ordering="code")
    def formatted_code(self, certificate):
        return format_code(certificate.code)

    @admin.display(description="sessions")
    def session_count(self, certificate):
        return len(certificate.sessions)

    @admin.display(description="state")
    def state(self, certificate):
        return "Withdrawn" if certificate.revoked_at else "Verifies"

    @admin.action(
        description="Withdraw the selected certificates (they stop verifying)",
        permissions=["change"],
    )
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} certificates withdrawn.", messages.SUCCESS)
