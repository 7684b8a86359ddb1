"""Addresses reversed once: the same as `reverse` (or `static`) gives, for the settings in use."""

from django.templatetags.static import static
from django.test import override_settings
from django.urls import path, reverse, set_script_prefix
from django.views.generic import View

from socex.url_once import reverse_once, static_once

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


def test_a_static_address_is_django_s():
    assert static_once("css/site.css") == static("css/site.css") == "/static/css/site.css"
    assert static_once("css/site.css") == "/static/css/site.css"  # kept


def test_another_static_url_gives_its_own_static_address():
    assert static_once("css/site.css") == "/static/css/site.css"
    with override_settings(STATIC_URL="/assets/"):
        assert static_once("css/site.css") == "/assets/css/site.css"
    assert static_once("css/site.css") == "/static/css/site.css"


def test_every_page_names_its_static_files_through_it(client, event):
    html = client.get(reverse("home")).content.decode()
    for name in ("bootstrap/css/bootstrap.min.css", "css/site.css", "favicon.svg", "js/site.js"):
        assert f'="{static(name)}"' in html
    with override_settings(STATIC_URL="/assets/"):
        assert 'href="/assets/css/site.css"' in client.get(reverse("home")).content.decode()
