"""The session survey, opened from the emailed link: a plain form, no JavaScript needed."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from workshops.forms.feedback import SurveyForm
from workshops.services.feedback import SurveyError, answer_survey, find_invitation, questions_for


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request, token):
    try:
        invitation = find_invitation(token)
    except SurveyError as error:
        return render(request, "socex/survey_unavailable.html", {"message": str(error)}, status=404)
    session = invitation.session
    questions = questions_for(session.time_slot.event)
    form = SurveyForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            answer_survey(token=token, **form.cleaned_data)
        except SurveyError as error:
            return render(request, "socex/survey_unavailable.html", {"message": str(error)})
        return render(request, "socex/survey_thanks.html", {"session": session})
    return render(
        request,
        "socex/survey.html",
        {"form": form, "session": session, "event": session.time_slot.event},
        status=400 if form.errors else 200,
    )
