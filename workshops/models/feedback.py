"""After each session: the survey its attendees are sent, and their answers.

A `SurveyInvitation` is one delegate asked about one session they were checked
in to; it is written once (the pair is unique), so the job that sends surveys
may run twice. Its link's token is derived from `SECRET_KEY` and the row's
random `nonce` (`workshops.services.feedback.survey_token`): the row holds only
the token's hash, so neither SQL, a backup nor the admin holds a working link.

A `SurveyAnswer` is not tied to the invitation it answers, nor to anyone: it
names its delegate (`named_delegate`) only when they ticked "you may show my
name". The invitation records only that it was answered, not when, and the
answer keeps only the day it came, so the two cannot be matched by time.
"""

from django.db import models
from django.db.models import Q

from registration.models import Delegate, Event
from registration.models.text_limits import text_length_check
from registration.validators import validate_single_line
from workshops.models.programme import Session

ANSWER_MAX_LENGTH = 2000
QUESTION_MAX_LENGTH = 300


class SurveyQuestions(models.Model):
    """The three questions an event's session surveys ask, as organisers word them."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="survey_questions")
    rating_question = models.CharField(
        max_length=QUESTION_MAX_LENGTH,
        validators=[validate_single_line],
        default="Overall, how useful was this session to you?",
        help_text="Answered on a scale from 1 (not at all) to 5 (very).",
    )
    first_question = models.CharField(
        max_length=QUESTION_MAX_LENGTH,
        validators=[validate_single_line],
        default="What was most useful?",
    )
    second_question = models.CharField(
        max_length=QUESTION_MAX_LENGTH,
        validators=[validate_single_line],
        default="What should we change next time?",
    )

    class Meta:
        verbose_name = "survey questions"
        verbose_name_plural = "survey questions"
        constraints = [
            text_length_check(
                name="surveyquestions_text_lengths",
                limits={
                    "rating_question": QUESTION_MAX_LENGTH,
                    "first_question": QUESTION_MAX_LENGTH,
                    "second_question": QUESTION_MAX_LENGTH,
                },
            )
        ]

    def __str__(self):
        return f"Session survey questions: {self.event}"


class SurveyInvitationQuerySet(models.QuerySet):
    def awaiting_reminder(self, *, sent_before):
        return self.filter(answered=False, reminded_at__isnull=True, sent_at__lte=sent_before)


class SurveyInvitation(models.Model):
    """One attendee of one session asked for feedback: sent once, reminded at most once."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    delegate = models.ForeignKey(
        Delegate, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    nonce = models.CharField(max_length=32, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(help_text="The link stops taking answers after this.")
    answered = models.BooleanField(default=False)

    objects = SurveyInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = "survey invitation"
        constraints = [
            models.UniqueConstraint(fields=["delegate", "session"], name="survey_once_per_session")
        ]

    def __str__(self):
        return f"Survey for session {self.session_id}"


class SurveyAnswerQuerySet(models.QuerySet):
    def for_event(self, event):
        return self.filter(session__time_slot__event=event)


class SurveyAnswer(models.Model):
    """One attendee's feedback on one session: anonymous unless they chose to be named."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="survey_answers")
    rating = models.PositiveSmallIntegerField()
    first_answer = models.TextField(blank=True, max_length=ANSWER_MAX_LENGTH)
    second_answer = models.TextField(blank=True, max_length=ANSWER_MAX_LENGTH)
    named_delegate = models.ForeignKey(
        Delegate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="named_survey_answers",
        help_text="Set only when the delegate ticked “you may show my name”.",
    )
    submitted_on = models.DateField()

    objects = SurveyAnswerQuerySet.as_manager()

    class Meta:
        # Not by pk or time: the order answers came in could match them to invitations.
        ordering = ["session", "-rating", "first_answer"]
        verbose_name = "survey answer"
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5),
                name="surveyanswer_rating_1_to_5",
                violation_error_message="A rating is from 1 to 5.",
            ),
            text_length_check(
                name="surveyanswer_text_lengths",
                limits={"first_answer": ANSWER_MAX_LENGTH, "second_answer": ANSWER_MAX_LENGTH},
            ),
        ]

    def __str__(self):
        return f"{self.rating}/5 for session {self.session_id}"
