"""The script that names the admin's autocomplete boxes runs after Django's makes them."""

import re

from tests.factories import AdminUserFactory


def test_the_naming_script_loads_after_djangos_autocomplete(client, db):
    client.force_login(AdminUserFactory(groups=["Organisers"]))
    html = client.get("/admin/registration/delegate/add/").content.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    ours = scripts.index("/static/js/admin_autocomplete.js")
    assert scripts.index("/static/admin/js/jquery.init.js") < ours
    assert scripts.index("/static/admin/js/autocomplete.js") < ours
