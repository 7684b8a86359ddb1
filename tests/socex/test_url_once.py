"""Addresses reversed once: the same as `reverse` gives, for the URLconf and prefix in use."""

from django.test import override_settings
from django.urls import path, reverse, set_script_prefix
from django.views.generic import View

from socex.url_once import reverse_once

urlpatterns = [path("elsewhere/", View.as_view(), name="home")]


def test_the_address_is_django_s():
    assert reverse_once("home") == reverse("home") == "/"
    assert reverse_once("workshops:manage") == reverse("workshops:manage")
    assert reverse_once("workshops:manage") == reverse("workshops:manage")  # kept


def test_another_urlconf_gives_its_own_address():
    assert reverse_once("home") == "/"
    with override_settings(ROOT_URLCONF=__name__):
        assert reverse_once("home") == "/elsewhere/"
    assert reverse_once("home") == "/"


def test_a_script_prefix_is_kept_apart():
    assert reverse_once("home") == "/"
    set_script_prefix("/socex/")
    try:
        assert reverse_once("home") == "/socex/"
    finally:
        set_script_prefix("/")
    assert reverse_once("home") == "/"


def test_every_page_links_through_it(client, event):
    html = client.get(reverse("home")).content.decode()
    for name in ("register", "workshops:manage", "privacy", "accessibility"):
        assert f'href="{reverse(name)}"' in html
