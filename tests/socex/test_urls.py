import logging

from django.templatetags.static import static


def test_favicon_is_served_for_every_page_the_admin_too(client):
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (301, static("favicon.svg"))


def test_django_errors_reach_the_console_once():
    # Django's default "django" logger has a console handler of its own; with ours on
    # the root as well, every error was printed twice.
    django_logger = logging.getLogger("django")
    assert django_logger.handlers == []
    assert django_logger.propagate is True
