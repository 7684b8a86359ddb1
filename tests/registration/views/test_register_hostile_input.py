"""Property-based: arbitrary and hostile registration input never breaks the site.

Every submission ends in a 200 with errors (and nothing saved) or a redirect
after exactly one complete registration.
"""

import itertools

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import event as note
from hypothesis import strategies as st

from outbox.models import OutgoingEmail
from registration.models import Agency, Delegate, ManageLink
from tests.factories import AgencyFactory
from tests.jobs import run_queued_jobs
from tests.workshops.views.test_hostile_input import rolled_back

FIELDS = [
    "first_name",
    "last_name",
    "email",
    "job_title",
    "phone",
    "agency",
    "agency_not_listed",
    "other_agency",
    "attends_day_one",
    "attends_day_two",
    "dietary_requirements",
    "accessibility_needs",
    "needs_consent",
    "badge_name",
    "privacy_accepted",
]
HOSTILE = [
    "",
    " ",
    '=HYPERLINK("http://evil.example","click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "<script>alert(1)</script>",
    "'; DROP TABLE registration_delegate; --",
    "a\x00b",
    "\u202eevil",
    "𝕊𝕆ℂ𝔼𝕏 🚓",
    "İSTANBUL@İ.EXAMPLE",
    "x" * 5000,
    "y" * 100_000,
    "0",
    "-1",
    "99999999999999999999999999",
    "1e10",
    "null",
    "on",
    "true",
    "someone@force.police.uk",
    "SOMEONE@FORCE.POLICE.UK ",
]
SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))
field_value = st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=3))
unique_emails = (f"valid{n}@force.police.uk" for n in itertools.count())


def counts():
    return (
        Delegate.objects.count(),
        Agency.objects.count(),
        ManageLink.objects.count(),
        OutgoingEmail.objects.count(),
    )


@SETTINGS
@given(data=st.data())
def test_register_hostile_input_never_errors_or_saves_partly(client, programme, data):
    with rolled_back():
        listed = AgencyFactory()
        unconfirmed = AgencyFactory(is_confirmed=False)
        valid = {
            "first_name": "Priya",
            "last_name": "Shah",
            "email": next(unique_emails),
            "job_title": "Analyst",
            "agency": str(listed.pk),
            "attends_day_one": "on",
            "attends_day_two": "on",
            "privacy_accepted": "on",
        }
        agency_ids = st.sampled_from([str(listed.pk), str(unconfirmed.pk), "0", "-5", "abc"])
        overrides = data.draw(
            st.dictionaries(
                st.sampled_from(FIELDS),
                st.one_of(field_value, agency_ids),
                max_size=6,
            ),
            label="overrides",
        )
        dropped = data.draw(st.sets(st.sampled_from(FIELDS), max_size=3), label="dropped")
        payload = {k: v for k, v in {**valid, **overrides}.items() if k not in dropped}

        before = counts()
        response = client.post(reverse("register"), payload)
        note(f"HTTP {response.status_code}")
        run_queued_jobs()  # the worker registers; a job that fails fails the test

        assert response.status_code in (200, 303)
        delegates, agencies, links, emails = counts()
        if response.status_code == 200:
            assert response.context["form"].errors
            assert counts() == before
        else:
            assert response["Location"] == reverse("registration:confirm_email")
            assert (delegates, links, emails) == (before[0] + 1, before[2] + 1, before[3] + 1)
            assert agencies in (before[1], before[1] + 1)
            delegate = Delegate.objects.latest("pk")
            assert delegate.privacy_accepted_at is not None
            if delegate.dietary_requirements or delegate.accessibility_needs:
                assert delegate.needs_consent_at is not None
