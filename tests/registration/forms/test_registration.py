import pytest
from django import forms
from django.core.exceptions import FieldError
from django.db import models
from django.db.models import Q

from registration.forms.registration import RegistrationForm
from registration.models import Agency, Delegate
from tests.factories import AgencyFactory, DelegateFactory, RoomFactory, SessionFactory


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Warwickshire Police")


def form_data(the_agency, **changes):
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "Priya.Shah@warwickshire.police.uk",
        "agency": str(the_agency.pk),
        "job_title": "Detective Sergeant",
        "attends_day_one": "on",
        "attends_day_two": "on",
        "privacy_accepted": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_registration_form_valid_data_accepted(programme, agency):
    form = RegistrationForm(form_data(agency), event=programme["event"])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == "priya.shah@warwickshire.police.uk"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"job_title": ""}, "job_title", "This field is required."),
        (
            {"agency": ""},
            "agency",
            "Select your agency, or tick “My agency is not listed” and name it.",
        ),
        (
            {"agency_not_listed": "on", "agency": ""},
            "other_agency",
            "Enter the name of your agency.",
        ),
        (
            {"attends_day_one": None, "attends_day_two": None},
            "attends_day_two",
            "Choose at least one day.",
        ),
        (
            {"privacy_accepted": None},
            "privacy_accepted",
            "Tick the box to agree to the privacy notice.",
        ),
    ],
)
def test_registration_form_rule_broken_gives_its_message(
    programme, agency, changes, field, message
):
    form = RegistrationForm(form_data(agency, **changes), event=programme["event"])
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_registration_form_unconfirmed_agency_not_selectable(programme, agency):
    typed = AgencyFactory(name="Typed In Agency", is_confirmed=False)
    form = RegistrationForm(form_data(agency, agency=str(typed.pk)), event=programme["event"])
    assert not form.is_valid()
    assert "agency" in form.errors


def test_registration_form_agency_list_grouped_by_kind(programme, agency):
    AgencyFactory(name="University of Warwick", kind=Agency.Kind.ACADEMIA)
    form = RegistrationForm(event=programme["event"])
    groups = [label for label, _ in form.fields["agency"].choices[1:]]
    assert groups == ["Police force", "Academia"]


def test_registration_form_agency_list_normalised_once_per_list(programme, agency):
    AgencyFactory(name="University of Warwick", kind=Agency.Kind.ACADEMIA)
    first = RegistrationForm(event=programme["event"])
    second = RegistrationForm(event=programme["event"])
    # The field and its widget take the list kept for these agencies as it is: a plain
    # list would be normalised into a new one twice for every form made.
    kept = second.agencies.choices
    assert first.agencies.choices is kept
    assert second.fields["agency"].choices is kept
    assert second.fields["agency"].widget.choices is kept
    html = str(second["agency"])
    assert '<optgroup label="Academia">' in html
    assert f'<option value="{agency.pk}">Warwickshire Police</option>' in html


def test_registration_form_registered_email_is_not_refused(programme, agency):
    # The form must not tell a stranger who is registered: the service emails the owner.
    DelegateFactory(event=programme["event"], email="priya.shah@warwickshire.police.uk")
    form = RegistrationForm(form_data(agency), event=programme["event"])
    assert form.is_valid(), form.errors


def test_registration_form_day_two_full_refused_day_one_allowed(event, agency):
    session = SessionFactory(workshop__event=event, room=RoomFactory(capacity=1))
    from workshops.services.booking import book_sessions

    event.choices_required = 1
    event.save()
    book_sessions(delegate=DelegateFactory(event=event), sessions=[session])
    form = RegistrationForm(form_data(agency), event=event)
    assert not form.is_valid()
    assert form.errors["attends_day_two"] == [
        "Day two is full: there is no full set of workshops left for another delegate. "
        "You can still register for day one."
    ]
    assert RegistrationForm(form_data(agency, attends_day_two=None), event=event).is_valid()


# Every field a delegate types, and the most characters it takes.
TYPED_LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "job_title": 150,
    "phone": 40,
    "dietary_requirements": 1000,
    "accessibility_needs": 1000,
    "badge_name": 100,
    "other_agency": 200,
    "invitation_code": 40,
}


@pytest.mark.parametrize(("field", "limit"), TYPED_LIMITS.items())
def test_registration_form_text_over_its_limit_gets_an_error(programme, agency, field, limit):
    form = RegistrationForm(
        form_data(agency, needs_consent="on", **{field: "x" * (limit + 1)}),
        event=programme["event"],
    )
    assert not form.is_valid()
    assert form.errors[field] == [
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    ]


@pytest.mark.parametrize(("field", "limit"), TYPED_LIMITS.items())
def test_registration_form_text_fields_tell_the_browser_their_limit(programme, field, limit):
    form = RegistrationForm(event=programme["event"])
    assert f'maxlength="{limit}"' in str(form[field])


@pytest.mark.parametrize(
    "field, value",
    [
        ("first_name", "Eve\r\nBcc: victim@example.org"),
        ("last_name", "X\nSubject: hacked"),
        ("job_title", "a\rb"),
        ("last_name", "\x02=cmd|' /C calc'!A0"),
        ("badge_name", "Eve\u2028Second line"),
    ],
)
def test_registration_form_one_line_answers_refuse_line_breaks_and_controls(
    programme, agency, field, value
):
    form = RegistrationForm(form_data(agency, **{field: value}), event=programme["event"])
    assert not form.is_valid()
    assert form.errors[field] == [
        "Use one line of ordinary text: no line breaks or control characters."
    ]


@pytest.mark.parametrize(
    "field, value",
    [
        ("first_name", "C\u00adarol"),
        ("last_name", "O\u200bBrien"),
        ("badge_name", "\ufeffPriya"),
        ("job_title", "DS\u2060"),
    ],
)
def test_registration_form_one_line_answers_refuse_invisible_characters(
    programme, agency, field, value
):
    form = RegistrationForm(form_data(agency, **{field: value}), event=programme["event"])
    assert not form.is_valid()
    assert form.errors[field] == [
        "Remove the invisible characters (such as a soft hyphen or a zero-width space): "
        "they make the text match differently from how it looks."
    ]


def test_registration_form_keeps_joiners_that_shape_letters(programme, agency):
    # Persian: the zero-width non-joiner keeps "می" and "خواهم" apart in one word.
    form = RegistrationForm(
        form_data(agency, first_name="\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),
        event=programme["event"],
    )
    assert form.is_valid(), form.errors


def test_registration_form_agency_options_carry_short_names(event):
    nca = AgencyFactory(name="National Crime Agency", kind=Agency.Kind.NATIONAL, aliases="NCA")
    serocu = AgencyFactory(
        name="South East Regional Organised Crime Unit (SEROCU)",
        kind=Agency.Kind.ROCU,
        aliases="ROCU\n  \nSE ROCU",
    )
    kent = AgencyFactory(name="Kent Police")
    html = str(RegistrationForm(event=event)["agency"])
    # Short names not already in the name join its bracket; all go to the search.
    assert (
        f'<option value="{nca.pk}" data-aliases="NCA">National Crime Agency (NCA)</option>' in html
    )
    assert (
        f'<option value="{serocu.pk}" data-aliases="ROCU SE ROCU">'
        "South East Regional Organised Crime Unit (SEROCU)</option>"
    ) in html
    assert f'<option value="{kent.pk}">Kent Police</option>' in html


BIDI_MESSAGE = (
    "Remove the invisible text-direction characters (such as U+202E, right-to-left "
    "override): they can make the text read differently from what was typed."
)


@pytest.mark.parametrize(
    "field, value",
    [
        ("first_name", "Eve\u202eexe.txt"),
        ("last_name", "\u202aShah"),
        ("badge_name", "Priya\u2066 \u2069"),
        ("job_title", "DS\u202d"),
        ("dietary_requirements", "No nuts\u202e"),
        ("accessibility_needs", "\u2067Wheelchair user"),
    ],
)
def test_registration_form_refuses_text_direction_overrides(programme, agency, field, value):
    data = form_data(agency, **{field: value, "needs_consent": "on"})
    form = RegistrationForm(data, event=programme["event"])
    assert not form.is_valid()
    assert form.errors[field] == [BIDI_MESSAGE]


def test_registration_form_refuses_overrides_in_an_unlisted_agency_name(programme, agency):
    data = form_data(agency, agency="", agency_not_listed="on", other_agency="Kent\u202e Police")
    form = RegistrationForm(data, event=programme["event"])
    assert not form.is_valid()
    assert form.errors["other_agency"][0] == BIDI_MESSAGE


def test_registration_form_keeps_right_to_left_names_and_direction_marks(programme, agency):
    data = form_data(
        agency, first_name="\u05d3\u05e0\u05d4\u200f", last_name="\u0643\u0631\u064a\u0645"
    )
    form = RegistrationForm(data, event=programme["event"])
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    "phone", ["07700 900123", "+44 (0)20 7946-0000", "+1 212 555 0100", "020 7946 0000"]
)
def test_registration_form_accepts_phone_numbers(programme, agency, phone):
    form = RegistrationForm(form_data(agency, phone=phone), event=programme["event"])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == phone


@pytest.mark.parametrize(
    "phone",
    [
        "0770\u202e0 900123",
        "call me",
        "07700 900123 ext 4",
        "=HYPERLINK(1)",
        "44+ 20 7946",
        "12345",
        "1" * 21,
        "+-()",
    ],
)
def test_registration_form_refuses_what_is_not_a_phone_number(programme, agency, phone):
    form = RegistrationForm(form_data(agency, phone=phone), event=programme["event"])
    assert not form.is_valid()
    assert form.errors["phone"] == [
        "Enter a phone number in digits, with spaces, brackets or hyphens if you like "
        "and + at the start for an international number, e.g. +44 20 7946 0000."
    ]


def test_registration_form_says_optional_once_for_each_optional_answer(event):
    form = RegistrationForm(event=event)
    # Needed only in some cases, which the form explains: the agency (or its name), the
    # consent to use needs, and the days, which are tick boxes.
    conditional = {"agency", "agency_not_listed", "other_agency", "needs_consent"}
    optional = [
        name
        for name, field in form.fields.items()
        if not field.required
        and name not in conditional
        and not isinstance(field, forms.BooleanField)
    ]
    assert sorted(optional) == [
        "accessibility_needs",
        "badge_name",
        "dietary_requirements",
        "invitation_code",
        "phone",
    ]
    for name in optional:
        field = form.fields[name]
        assert field.label.endswith(" (optional)"), name
        assert "optional" not in (field.help_text or "").lower(), name


def test_registration_form_attending_neither_day_says_so_once(programme, agency):
    form = RegistrationForm(
        form_data(agency, attends_day_one=None, attends_day_two=None), event=programme["event"]
    )
    assert not form.is_valid()
    assert form.errors == {"attends_day_two": ["Choose at least one day."]}


def test_registration_form_checks_in_three_queries(
    programme, agency, django_assert_max_num_queries
):
    """The agency list, then day two's places (two); no query to check a constraint."""
    with django_assert_max_num_queries(3):
        form = RegistrationForm(form_data(agency), event=programme["event"])
        assert form.is_valid(), form.errors
    assert form.agency == agency


def test_registration_form_could_check_no_delegate_constraint_it_leaves_to_the_database(
    programme, agency
):
    """The form skips the model's constraints; each must be one it could not check anyway.

    With only the form's fields to go on, Django gives up on every check constraint
    (FieldError) but `delegate_attends_a_day`, which `clean` checks itself; the
    unique constraint names the event, which the form does not have.
    """
    form = RegistrationForm(form_data(agency), event=programme["event"])
    assert form.is_valid(), form.errors
    against = form.instance._get_field_expression_map(meta=Delegate._meta)
    against = {name: value for name, value in against.items() if name in form.fields}
    checkable = []
    for constraint in Delegate._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            if set(constraint.fields) <= set(form.fields):
                checkable.append(constraint.name)
            continue
        try:
            Q(constraint.condition).check(against)
        except FieldError:
            continue
        checkable.append(constraint.name)
    assert checkable == ["delegate_attends_a_day"]
