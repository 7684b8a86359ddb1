"""The blank registration form comes from a per-process cache (registration.forms.registration)."""

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse

from registration.forms.registration import RegistrationForm
from tests.factories import AgencyFactory, EventFactory


@pytest.fixture
def event(db):
    return EventFactory(name="Strategic SOCEX 2026")


def form_html(page):
    html = page.content.decode()
    return html[html.index("<fieldset") : html.rindex('type="submit"')]


def crispy_rendering(event):
    """The form exactly as `{% crispy form %}` renders it inside a page, without any cache."""
    request = RequestFactory().get("/register/")
    template = Template("{% load crispy_forms_tags %}{% crispy form %}")
    context = RequestContext(request, {"form": RegistrationForm(event=event), "event": event})
    return template.render(context)


def test_register_blank_form_is_what_crispy_renders(client, event):
    AgencyFactory(name="Warwickshire Police", aliases="WP")
    first = client.get(reverse("register"))
    second = client.get(reverse("register"))
    expected = crispy_rendering(event)
    expected = expected[expected.index("<fieldset") : expected.rindex('type="submit"')]
    assert form_html(first) == expected
    assert form_html(second) == expected


def test_register_blank_form_shows_an_agency_added_after_it_was_cached(client, event):
    AgencyFactory(name="Warwickshire Police")
    assert "Kent Police" not in client.get(reverse("register")).content.decode()
    AgencyFactory(name="Kent Police")
    assert "Kent Police" in client.get(reverse("register")).content.decode()


def test_register_blank_form_shows_a_renamed_event(client, event):
    client.get(reverse("register"))
    event.name = "Strategic SOCEX 2027"
    event.save()
    summary = "We use your details only to run Strategic SOCEX 2027."
    assert summary in client.get(reverse("register")).content.decode()


def test_register_refused_form_keeps_what_was_typed(client, event):
    AgencyFactory(name="Warwickshire Police")
    client.get(reverse("register"))
    page = client.post(reverse("register"), {"first_name": "Priya", "email": "not-an-email"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Priya"' in html
    assert "Enter a valid email address." in html


def test_register_blank_form_shows_a_renamed_agency_at_once(client, event):
    agency = AgencyFactory(name="Warwickshire Police")
    client.get(reverse("register"))
    agency.name = "Warwickshire Constabulary"
    agency.save()
    html = client.get(reverse("register")).content.decode()
    assert "Warwickshire Constabulary" in html
    assert "Warwickshire Police" not in html


def test_register_blank_form_drops_an_agency_unconfirmed_after_it_was_cached(client, event):
    AgencyFactory(name="Warwickshire Police")
    agency = AgencyFactory(name="Kent Police")
    assert "Kent Police" in client.get(reverse("register")).content.decode()
    agency.is_confirmed = False
    agency.save()
    assert "Kent Police" not in client.get(reverse("register")).content.decode()
