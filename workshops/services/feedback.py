"""Session feedback: surveying who attended, one reminder, taking answers, the results.

Who is asked: every delegate admitted at a session's door (a live `CheckIn`,
not undone) once the session has ended, and nobody else. `send_surveys` and
`send_survey_reminders` run as the worker's periodic job
(`workshops.tasks.send_session_surveys`); each invitation is one row per
delegate and session, written with its email in one transaction, so a run
repeated, or two at once, asks nobody twice.

The survey link is `/feedback/<token>/`. The token is an HMAC of the row's
random nonce under a key derived from `SECRET_KEY`, so the first email and
the reminder carry the same link while the database holds only its hash.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone

from registration.models import Delegate, hash_token
from registration.services.email import email_delegate
from socex.site_url import site_url
from workshops.models import CheckIn, Session, SurveyAnswer, SurveyInvitation, SurveyQuestions

# Sessions that ended longer ago than this are not surveyed (say, when the job first runs
# long after an event): feedback asked for weeks later is worth little and surprises people.
SURVEY_SESSIONS_WITHIN = timedelta(days=3)
REMINDER_AFTER = timedelta(days=2)
SURVEY_OPEN_FOR = timedelta(days=14)
RATINGS = (1, 2, 3, 4, 5)


class SurveyError(Exception):
    """A survey link that cannot take an answer; the message says why, for the delegate."""


def survey_token(invitation):
    """The invitation's link token: not stored, made again from `SECRET_KEY` and the nonce."""
    key = hashlib.sha256(b"socex-survey-links:" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, invitation.nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def survey_url(invitation):
    return site_url() + reverse("feedback:survey", args=[survey_token(invitation)])


def questions_for(event):
    """The event's survey questions, the defaults until an organiser words them."""
    questions = SurveyQuestions.objects.filter(event=event).first()
    return questions or SurveyQuestions(event=event)


def attendees(session):
    """Delegates admitted at `session`'s door and not undone, who can still be emailed."""
    return (
        Delegate.objects.active()
        .filter(anonymised_at__isnull=True)
        .filter(
            checkins__session=session,
            checkins__door=CheckIn.Door.SESSION,
            checkins__admitted=True,
        )
        .distinct()
    )


def sessions_to_survey(*, now):
    """Sessions that ended within `SURVEY_SESSIONS_WITHIN` before `now`."""
    return (
        Session.objects.filter(
            time_slot__ends_at__lte=now, time_slot__ends_at__gt=now - SURVEY_SESSIONS_WITHIN
        )
        .select_related("workshop", "time_slot", "time_slot__event", "room")
        .order_by("time_slot__ends_at", "pk")
    )


def send_surveys(*, now=None):
    """Ask every attendee of every session that has ended (recently) for feedback, once.

    Side effects: for each delegate and session not asked before, inserts a
    `SurveyInvitation` and queues the survey email, in one transaction. A pair
    already asked (by an earlier run, or a run at the same time) is skipped.
    Returns how many were asked.
    """
    now = now or timezone.now()
    asked = 0
    for session in sessions_to_survey(now=now):
        already = SurveyInvitation.objects.filter(session=session).values("delegate_id")
        for delegate in attendees(session).exclude(pk__in=already).select_related("event"):
            asked += _invite(session=session, delegate=delegate, now=now)
    return asked


def _invite(*, session, delegate, now):
    nonce = secrets.token_hex(16)
    invitation = SurveyInvitation(
        session=session,
        delegate=delegate,
        nonce=nonce,
        sent_at=now,
        closes_at=now + SURVEY_OPEN_FOR,
    )
    invitation.token_hash = hash_token(survey_token(invitation))
    try:
        with transaction.atomic():
            invitation.save()
            _email_survey(invitation, reminder=False)
    except IntegrityError:  # asked meanwhile by another run: the constraint keeps it once
        return 0
    return 1


def _email_survey(invitation, *, reminder):
    session = invitation.session
    email_delegate(
        delegate=invitation.delegate,
        subject=(f"{'reminder: ' if reminder else ''}how was {session.workshop.title}?"),
        template="email/session_survey",
        context={
            "session": session,
            "reminder": reminder,
            "closes_at": invitation.closes_at,
            "questions": questions_for(session.time_slot.event),
        },
        secrets={"survey_link": survey_url(invitation)},
    )


def send_survey_reminders(*, now=None):
    """Remind, once, those asked `REMINDER_AFTER` ago or more who have not answered.

    Side effects: marks each invitation reminded and queues the reminder, in one
    transaction each; an invitation already reminded (by this run or another)
    is never reminded again, nor one whose survey has closed. Returns how many.
    """
    now = now or timezone.now()
    due = (
        SurveyInvitation.objects.awaiting_reminder(sent_before=now - REMINDER_AFTER)
        .filter(closes_at__gt=now, delegate__anonymised_at__isnull=True)
        .exclude(delegate__status__in=[Delegate.Status.CANCELLED, Delegate.Status.ERASED])
        .select_related("session__workshop", "session__time_slot__event", "delegate__event")
        .order_by("pk")
    )
    reminded = 0
    for invitation in due:
        with transaction.atomic():
            claimed = SurveyInvitation.objects.filter(
                pk=invitation.pk, reminded_at__isnull=True, answered=False
            ).update(reminded_at=now)
            if claimed:
                _email_survey(invitation, reminder=True)
                reminded += claimed
    return reminded


def find_invitation(token, *, now=None):
    """The invitation `token` opens, for showing the survey. Raises `SurveyError`."""
    now = now or timezone.now()
    invitation = (
        SurveyInvitation.objects.select_related(
            "session__workshop", "session__time_slot__event", "session__room", "delegate"
        )
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if invitation is None or invitation.delegate.anonymised_at:
        raise SurveyError("This survey link is not recognised. Please use the link in your email.")
    if invitation.answered:
        raise SurveyError("Thank you: your feedback on this session has already been received.")
    if invitation.closes_at <= now:
        raise SurveyError("This survey has closed. Thank you all the same.")
    return invitation


@transaction.atomic
def answer_survey(*, token, rating, first_answer="", second_answer="", show_name=False, now=None):
    """Record one attendee's feedback on the session their link is for.

    `rating` is 1 to 5 and the answers at most `ANSWER_MAX_LENGTH` characters
    (the form checks both; the database holds them too). Side effects: marks
    the invitation answered and inserts a `SurveyAnswer`, which names the
    delegate only if `show_name`. Raises `SurveyError` if the link is unknown,
    closed or already answered (nothing is written). Returns the answer.
    """
    now = now or timezone.now()
    invitation = find_invitation(token, now=now)
    # The update claims the invitation: of two submissions at once, one alone records.
    if not SurveyInvitation.objects.filter(pk=invitation.pk, answered=False).update(answered=True):
        raise SurveyError("Thank you: your feedback on this session has already been received.")
    answer = SurveyAnswer(
        session=invitation.session,
        rating=rating,
        first_answer=first_answer.strip(),
        second_answer=second_answer.strip(),
        named_delegate=invitation.delegate if show_name else None,
        submitted_on=timezone.localdate(now),
    )
    answer.full_clean()
    answer.save()
    return answer


@dataclass
class SurveyResults:
    """Counts, response rate, rating distribution and free text for some sessions."""

    surveyed: int
    answered: int
    average: float | None
    distribution: dict  # rating -> how many
    answers: list = field(default_factory=list)

    @property
    def response_rate(self):
        """Answers per attendee surveyed, 0 to 1 (None when nobody was surveyed)."""
        return self.answered / self.surveyed if self.surveyed else None

    @property
    def bars(self):
        """(rating, count, percent of answers) for each rating, for the chart."""
        return [
            (rating, count, round(100 * count / self.answered) if self.answered else 0)
            for rating, count in sorted(self.distribution.items())
        ]


def survey_results(sessions):
    """The results of the surveys of `sessions` (a Session queryset), with their answers.

    Each answer comes with `shown_name`: the delegate's name if they chose to
    be named, else "" (answers are anonymous otherwise, to organisers and
    facilitators alike). Reads only; a fixed number of queries.
    """
    surveyed = SurveyInvitation.objects.filter(session__in=sessions).count()
    answers = SurveyAnswer.objects.filter(session__in=sessions)
    counts = dict(
        answers.order_by().values("rating").annotate(n=Count("pk")).values_list("rating", "n")
    )
    listed = list(
        answers.select_related(
            "named_delegate", "session__workshop", "session__time_slot", "session__room"
        ).order_by(
            "session__time_slot__starts_at", "session__room__name", "-rating", "first_answer"
        )
    )
    for answer in listed:
        named = answer.named_delegate
        answer.shown_name = f"{named.first_name} {named.last_name}" if named else ""
    return SurveyResults(
        surveyed=surveyed,
        answered=len(listed),
        average=answers.aggregate(avg=Avg("rating"))["avg"],
        distribution={rating: counts.get(rating, 0) for rating in RATINGS},
        answers=listed,
    )


def session_summaries(event):
    """Every session of `event` with `surveyed`, `answered` and `average_rating` annotated."""
    return (
        Session.objects.for_event(event)
        .select_related("workshop", "time_slot", "room")
        .annotate(
            surveyed=Count("survey_invitations", distinct=True),
            answered=Count("survey_answers", distinct=True),
            average_rating=Avg("survey_answers__rating"),
        )
        .order_by("time_slot__starts_at", "room__name")
    )


def forget_survey_names(*, delegate):
    """Retention and erasure: answers the delegate let us name them on become anonymous.

    Side effects: clears `named_delegate` on their answers. Their invitations
    stay (for the response rate); their links stop working once they are
    anonymised (`find_invitation`).
    """
    SurveyAnswer.objects.filter(named_delegate=delegate).update(named_delegate=None)
