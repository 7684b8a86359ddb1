from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from crispy_forms.utils import render_crispy_form
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.safestring import mark_safe

from registration.models import Agency, Delegate
from registration.signals import ask_day_two_places_left
from registration.validators import validate_single_line
from socex.prepared import PreparedQuery

NEEDS_HELP = (
    "Only the organisers and the venue's catering and access team see this, "
    "and only to look after you at the event."
)


def check_needs_consent(form, data):
    """Add an error to `form` if dietary or accessibility answers come without the consent."""
    gave_needs = any(
        (data.get(field) or "").strip() for field in ("dietary_requirements", "accessibility_needs")
    )
    if gave_needs and not data.get("needs_consent"):
        form.add_error(
            "needs_consent",
            "Tick the box to let us use your dietary and accessibility answers, "
            "or leave both answers empty.",
        )


# Agency's columns, read as plain rows for the agency list (see `confirmed_agencies`).
AGENCY_COLUMNS = tuple(field.attname for field in Agency._meta.concrete_fields)
# The agency list built from those rows, by the rows; a new list replaces the one kept.
_agency_lists = {}
# Read on every registration page and form sent: its SQL prepared once per connection
# (socex.prepared), 0.43 → 0.12 ms.
_confirmed_agency_rows = PreparedQuery(
    Agency,
    lambda: (
        Agency.objects.filter(is_confirmed=True).order_by("name", "pk").values_list(*AGENCY_COLUMNS)
    ),
)


class NormalizedChoices(BaseChoiceIterator):
    """Choices put in Django's normal form once, then given to fields and widgets as they are.

    A field given a plain list normalises it, and its widget normalises it again,
    on every form made: for the agency list (a hundred-odd agencies in groups)
    that was about a fifth of building the registration form. Django takes a
    `BaseChoiceIterator` as it is; this one iterates the list normalised here.
    """

    def __init__(self, choices):
        self.choices = normalize_choices(choices)

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)


class AgencyList:
    """The confirmed agencies as the registration form offers them, built from their rows.

    `choices` groups them by kind for a select with option groups; `aliases` are
    the short names by agency id, for `AgencySelect`; `key` (the rows) changes
    whenever anything the list shows does.
    """

    def __init__(self, rows):
        self.key = rows
        self.by_id = {row[0]: row for row in rows}
        groups, self.aliases = {}, {}
        kinds = dict(Agency.Kind.choices)
        for row in rows:
            agency = self._agency(row)
            groups.setdefault(kinds.get(agency.kind, agency.kind), []).append(
                (agency.pk, agency.label)
            )
            self.aliases[agency.pk] = " ".join(agency.alias_list)
        self.choices = NormalizedChoices(
            [("", "Select your agency")]
            + [(label, groups[label]) for _, label in Agency.Kind.choices if label in groups]
        )

    def agency(self, pk):
        """The confirmed agency `pk` as read with the list (an `Agency`), or None."""
        row = self.by_id.get(pk)
        return None if row is None else self._agency(row)

    @staticmethod
    def _agency(row):
        return Agency.from_db("default", AGENCY_COLUMNS, row)


def confirmed_agencies():
    """The confirmed agencies, read afresh (one query), as an `AgencyList`.

    The rows are read as plain tuples and the list built from them (labels,
    groups) is kept per process by those rows: building it took 1.5 ms, about
    as long as the rest of the registration page. An agency added, renamed or
    unconfirmed changes the rows, so it shows at once. Side effects: replaces
    this process's kept list when the rows differ.
    """
    rows = tuple(_confirmed_agency_rows())
    agencies = _agency_lists.get(rows)
    if agencies is None:
        agencies = AgencyList(rows)
        _agency_lists.clear()
        _agency_lists[rows] = agencies
    return agencies


class AgencySelect(forms.Select):
    """The agency list; each option carries its short names for the search box (site.js)."""

    aliases = {}  # agency id -> its short names, space-separated; set by the form

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if self.aliases.get(value):
            option["attrs"]["data-aliases"] = self.aliases[value]
        return option


class RegistrationForm(forms.ModelForm):
    agency = forms.TypedChoiceField(
        label="Agency",
        coerce=int,
        required=False,
        help_text="Grouped by kind of agency, with short names such as NCA in brackets. "
        "Type while the list is open to jump to a name.",
        widget=AgencySelect,
    )
    agency_not_listed = forms.BooleanField(label="My agency is not listed", required=False)
    other_agency = forms.CharField(
        label="Your agency's name",
        max_length=Agency._meta.get_field("name").max_length,
        validators=[validate_single_line],
        required=False,
        help_text="An organiser will confirm it.",
    )
    invitation_code = forms.CharField(
        label="Invitation code (optional)",
        max_length=40,
        required=False,
        help_text="If you were sent one. Without a code, use your work email address.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    needs_consent = forms.BooleanField(
        label="I agree to the organisers using my dietary and accessibility answers to "
        "look after me at the event",
        required=False,
        help_text="Needed only if you answer either question above. These answers can reveal "
        "health or beliefs, so we ask separately. You can ask us to delete them at any time.",
    )
    privacy_accepted = forms.BooleanField(
        label="I have read the privacy notice and agree to my details being used to run the event",
        error_messages={"required": "Tick the box to agree to the privacy notice."},
    )

    class Meta:
        model = Delegate
        fields = [
            "first_name",
            "last_name",
            "email",
            "job_title",
            "phone",
            "attends_day_one",
            "attends_day_two",
            "dietary_requirements",
            "accessibility_needs",
            "badge_name",
        ]
        labels = {
            "email": "Work email",
            "phone": "Phone number (optional)",
            "dietary_requirements": "Dietary requirements (optional)",
            "accessibility_needs": "Accessibility needs (optional)",
            "badge_name": "Name on your badge (optional)",
        }
        help_texts = {
            "email": "We send your confirmation and booking link here.",
            "dietary_requirements": NEEDS_HELP,
            "accessibility_needs": NEEDS_HELP,
            "badge_name": "Leave empty to use your first and last name.",
        }
        widgets = {
            "dietary_requirements": forms.Textarea(attrs={"rows": 2}),
            "accessibility_needs": forms.Textarea(attrs={"rows": 2}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.agencies = confirmed_agencies()
        # The agency chosen, as read with the list (for `check_registration`), once clean.
        self.agency = None
        self.fields["agency"].choices = self.agencies.choices
        self.fields["agency"].widget.aliases = self.agencies.aliases
        self.fields["badge_name"].required = False
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.form_show_errors = True
        self.helper.layout = Layout(
            Fieldset(
                "About you",
                Div("first_name", "last_name", css_class="row row-cols-1 row-cols-sm-2"),
                "email",
                "job_title",
                "phone",
            ),
            Fieldset(
                "Your agency",
                HTML('{% include "socex/agency_filter.html" %}'),
                "agency",
                "agency_not_listed",
                "other_agency",
                "invitation_code",
            ),
            Fieldset("Which days will you attend?", "attends_day_one", "attends_day_two"),
            Fieldset(
                "Looking after you",
                "dietary_requirements",
                "accessibility_needs",
                "needs_consent",
            ),
            Fieldset("Your badge", "badge_name"),
            Fieldset(
                "Privacy", HTML('{% include "socex/privacy_summary.html" %}'), "privacy_accepted"
            ),
            Submit("register", "Register", css_class="btn-lg"),
        )

    def _post_clean(self):
        """ModelForm's, without the model's constraints: this form can check none of them.

        Each names a field the form does not have (the event, the privacy record, the
        admin's note) or one `clean` already checks (the days attended), so Django
        built a query for each and then gave up on it (FieldError): 0.7 ms of every
        registration for nothing. The database holds them all; the worker that saves
        the registration meets them there. A test fails if a constraint this form
        could check is added.
        """
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
        except ValidationError as error:
            self._update_errors(error)
        try:
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(),
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            self._update_errors(error)
        if self._validate_unique:
            self.validate_unique()

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if len(email) > Delegate._meta.get_field("email").max_length:
            # Lower-casing some letters (such as “İ”) makes the address longer.
            raise forms.ValidationError("This email address is too long.")
        # No "already registered" here: the page must not tell a stranger who is registered
        # (registration.services.registration emails the address's owner instead).
        return email

    def clean(self):
        data = super().clean()
        agency, not_listed = data.get("agency"), data.get("agency_not_listed")
        other = (data.get("other_agency") or "").strip()
        if not_listed:
            if not other:
                self.add_error("other_agency", "Enter the name of your agency.")
            data["agency"] = None
        elif not agency:
            self.add_error(
                "agency", "Select your agency, or tick “My agency is not listed” and name it."
            )
        else:
            # The field took only an agency of the list, read in this request: no second read.
            self.agency = self.agencies.agency(agency)
            if self.agency is None:
                self.add_error("agency", "Select an agency from the list.")
        check_needs_consent(self, data)
        if not data.get("attends_day_one") and not data.get("attends_day_two"):
            self.add_error("attends_day_two", "Choose at least one day.")
        elif data.get("attends_day_two") and ask_day_two_places_left(event=self.event) <= 0:
            self.add_error(
                "attends_day_two",
                "Day two is full: there is no full set of workshops left for another "
                "delegate. You can still register for day one.",
            )
        return data


# The blank registration form's HTML, by everything it shows that can change while
# the site runs (see `blank_form_html`); a few entries at most.
_blank_forms = {}
BLANK_FORMS_KEPT = 8


def blank_form_html(form):
    """The unbound `form` as crispy-forms renders it, rendered once per process and key.

    crispy-forms renders the layout field by field through Bootstrap 5's templates:
    85% of GET /register/ (about 14 of 17 ms CPU). A blank form's HTML depends only on
    the code and templates (fixed while a process runs), the event's name (the privacy
    summary) and the agency list with its aliases, read afresh for every form: these
    are the key, so a new, renamed or unconfirmed agency shows at once. The CSRF token
    sits outside it, in the page. With DEBUG on (templates edited while the server
    runs) every form is rendered afresh. Side effects: fills this process's cache.
    """
    event = form.event
    context = {"event": event}
    if settings.DEBUG or form.is_bound:
        return render_crispy_form(form, context=context)
    key = (event.pk, event.name, form.agencies.key)
    html = _blank_forms.get(key)
    if html is None:
        html = mark_safe(render_crispy_form(form, context=context))
        if len(_blank_forms) >= BLANK_FORMS_KEPT:
            _blank_forms.clear()
        _blank_forms[key] = html
    return html
