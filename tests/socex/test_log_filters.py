"""A refused request is logged as one line; a server error keeps its traceback."""

import logging
import sys

from django.urls import reverse

from socex.log_filters import OneLineClientErrors
from tests.factories import AdminUserFactory, DelegateFactory


def console_handler():
    (handler,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    return handler


def test_the_console_handler_carries_the_filter():
    assert any(isinstance(f, OneLineClientErrors) for f in console_handler().filters)


def test_a_refused_admin_page_logs_one_line_without_a_traceback(client, db, caplog):
    delegate = DelegateFactory()
    client.force_login(AdminUserFactory(groups=["Staff"]))
    # Staff may not change a delegate: Django answers 403 and logs the PermissionDenied.
    url = reverse("admin:registration_delegate_delete", args=[delegate.pk])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.post(url, {"post": "yes"}).status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    # Django logs it with the PermissionDenied; the console handler's filter took that off.
    assert record.status_code == 403
    assert record.exc_info is None
    assert "Forbidden" in record.getMessage()


def test_a_server_error_keeps_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), None
        )
        record.exc_info = sys.exc_info()
    record.status_code = 500
    assert OneLineClientErrors().filter(record)
    assert record.exc_info is not None
