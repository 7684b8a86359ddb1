"""Addresses of views that take no arguments, reversed once per URLconf and script prefix.

Django's `reverse` walks the URLconf's patterns on every call, 0.05 to 0.1 ms
each; the base template of every page names five views and the choose page
two more per round. The URLconf does not change while a process runs (tests
that swap it send `setting_changed`, which empties the cache), so an address
of a view without arguments is the same every time for the same URLconf and
script prefix, and is kept here.

Addresses of static files likewise (`static_once`): the storage answers the
same for a file while a process runs (with `ManifestStaticFilesStorage`, its
name with the hash read from the manifest at start), and the base template
names four, 8 to 10 us each through `{% static %}`.
"""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

_reversed = {}
_static = {}


def reverse_once(viewname):
    """`reverse(viewname)`, for a view that takes no arguments, kept after the first call."""
    key = (viewname, get_urlconf(), get_script_prefix())
    url = _reversed.get(key)
    if url is None:
        url = _reversed[key] = reverse(viewname)
    return url


def static_once(path):
    """`static(path)`, the address of a static file, kept after the first call."""
    key = (path, get_script_prefix())
    url = _static.get(key)
    if url is None:
        url = _static[key] = static(path)
    return url


@receiver(setting_changed)
def _forget_on_new_urlconf(*, setting, **kwargs):
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _reversed.clear()
    if setting in {"STATIC_URL", "STATIC_ROOT", "STORAGES", "FORCE_SCRIPT_NAME"}:
        _static.clear()
