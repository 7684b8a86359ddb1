"""`{% crispy_kept form %}` renders what `{% crispy form %}` does (forms.kept_layout)."""

import re

import pytest
from crispy_forms.helper import FormHelper
from django import forms
from django.forms.renderers import get_default_renderer
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from registration.forms import kept_layout
from registration.forms.details import DetailsForm
from registration.forms.handover import AcceptHandoverForm, OfferHandoverForm
from registration.models import Delegate
from tests.factories import DelegateFactory


@pytest.fixture(autouse=True)
def no_kept_layouts():
    kept_layout._layouts.clear()
    yield
    kept_layout._layouts.clear()


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def render(tag, form, tokens=None):
    """The form as `{% tag form %}` renders it in a page, its CSRF token written TOKEN.

    Each token (a new one for every request) is added to `tokens`, if given.
    """
    library = "crispy_forms_tags" if tag == "crispy" else "crispy_kept"
    template = Template(f"{{% load {library} %}}{{% {tag} form %}}")
    html = template.render(RequestContext(RequestFactory().get("/"), {"form": form}))
    if tokens is not None:
        tokens.extend(TOKEN.findall(html))
    return TOKEN.sub('name="csrfmiddlewaretoken" value="TOKEN"', html)


def both(make_form):
    """The form as crispy-forms renders it, and as crispy_kept does, each from a new form.

    crispy-forms renders the first with the project's form renderer (Django's widget
    templates), not the kept layout's QUICK_WIDGETS.
    """
    form = make_form()
    form.renderer = get_default_renderer()
    return render("crispy", form), render("crispy_kept", make_form())


@pytest.mark.django_db
def test_details_form_from_the_kept_layout_is_what_crispy_renders():
    people = [
        DelegateFactory(badge_name="", phone="", attends_day_two=True),
        DelegateFactory(
            badge_name='Al "Ace" <b>',
            phone="07700 900123",
            attends_day_one=False,
            attends_day_two=True,
            dietary_requirements="No nuts & no <script>",
            accessibility_needs="Step-free access",
        ),
        DelegateFactory(attends_day_two=False, job_title="Analyst"),
    ]
    pages = []
    for delegate in people * 2:  # first from crispy-forms with slots, then kept
        crispy, kept = both(lambda: DetailsForm(instance=delegate))  # noqa: B023
        assert kept == crispy
        pages.append(kept)
    assert len(kept_layout._layouts) == 1
    assert 'aria-describedby="id_badge_name_helptext"' in pages[3]
    assert 'value="Al &quot;Ace&quot; &lt;b&gt;"' in pages[4]
    assert "No nuts &amp; no &lt;script&gt;</textarea>" in pages[4]
    assert 'id="id_attends_day_two" checked' in pages[3]
    assert 'id="id_attends_day_two" checked' not in pages[5]


@pytest.mark.django_db
def test_handover_forms_from_the_kept_layout_are_what_crispy_renders():
    old = DelegateFactory()
    for _ in range(2):
        crispy, kept = both(OfferHandoverForm)
        assert kept == crispy
        crispy, kept = both(
            lambda: AcceptHandoverForm(instance=Delegate(event=old.event, agency=old.agency))
        )
        assert kept == crispy
    assert len(kept_layout._layouts) == 2


@pytest.mark.django_db
def test_a_form_with_answers_is_rendered_by_crispy_with_its_errors():
    delegate = DelegateFactory()
    render("crispy_kept", DetailsForm(instance=delegate))
    data = {"attends_day_one": "", "attends_day_two": "", "dietary_requirements": "Vegan"}
    crispy = render("crispy", DetailsForm(data, instance=delegate))
    kept = render("crispy_kept", DetailsForm(data, instance=delegate))
    assert kept == crispy
    assert "Choose at least one day" in kept
    assert 'aria-invalid="true"' in kept
    assert "Vegan" in kept


@pytest.mark.django_db
def test_with_debug_on_every_form_is_rendered_by_crispy(settings):
    settings.DEBUG = True
    delegate = DelegateFactory()
    crispy, kept = both(lambda: DetailsForm(instance=delegate))
    assert kept == crispy
    assert kept_layout._layouts == {}


@pytest.mark.django_db
def test_each_page_gets_its_own_csrf_token_not_a_kept_one():
    delegate = DelegateFactory()
    tokens = []
    for _ in range(3):
        render("crispy_kept", DetailsForm(instance=delegate), tokens)
    assert len(tokens) == 3
    assert len(set(tokens)) == 3


class RadioForm(kept_layout.KeptLayout, forms.Form):
    """A layout crispy-forms fills with the field's value itself: not kept."""

    day = forms.ChoiceField(choices=[("1", "Day one"), ("2", "Day two")], widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


@pytest.mark.django_db
def test_a_layout_showing_values_itself_is_not_kept():
    for day in ("1", "2", "1"):
        crispy, kept = both(lambda: RadioForm(initial={"day": day}))  # noqa: B023
        assert kept == crispy
        assert f'value="{day}"  id="id_day_{int(day) - 1}" required checked' in kept
    assert list(kept_layout._layouts.values()) == [kept_layout.NOT_KEPT]


WIDGETS = [
    forms.TextInput(attrs={"autocomplete": "off", "maxlength": 100, "required": True}),
    forms.EmailInput(attrs={"class": "emailinput form-control", "disabled": False}),
    forms.Textarea(attrs={"rows": 2, "aria-describedby": "id_x_helptext"}),
    forms.CheckboxInput(),
    forms.NumberInput(attrs={"min": 0}),
    forms.HiddenInput(),
]
VALUES = [None, "", "plain", "quote \" and <b>bold</b> & 'apos'", mark_safe("<i>safe</i>"), 7, True]


@given(
    widget=st.sampled_from(WIDGETS),
    value=st.one_of(st.sampled_from(VALUES), st.text()),
    name=st.sampled_from(["badge_name", 'odd"name<']),
)
def test_quick_widgets_render_what_the_templates_do(widget, value, name):
    attrs = {"id": f"id_{name}"}
    quick = widget.render(name, value, attrs=attrs, renderer=kept_layout.QUICK_WIDGETS)
    assert quick == widget.render(name, value, attrs=attrs, renderer=get_default_renderer())
