"""The admin's layout with long names in it: nothing drawn on top of anything else."""

import pytest

from tests.browser.admin_pages import restore_roles, sign_in_admin
from tests.browser.conftest import DESKTOP
from tests.factories import AdminUserFactory
from workshops.models import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def overlap(a, b):
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_a_long_session_name_stays_clear_of_the_history_button(page, live_server, socex_data):
    restore_roles()
    session = (
        Session.objects.filter(workshop__title__startswith="Technology-enabled crime")
        .select_related("workshop")
        .first()
    )
    sign_in_admin(page, AdminUserFactory(groups=["Organisers"]), url=live_server.url)
    page.set_viewport_size(DESKTOP)
    page.goto(f"/admin/workshops/session/{session.pk}/change/")
    title = page.locator("#content > h2").bounding_box()
    history = page.locator(".object-tools").bounding_box()
    assert "Technology-enabled crime" in page.locator("#content > h2").inner_text()
    assert not overlap(title, history), (title, history)
