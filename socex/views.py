from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static


def favicon(request):
    """Browsers ask for /favicon.ico on every page, the admin's too.

    The static URL is looked up per request, not at import, so the URLconf loads
    before `collectstatic` has written the manifest (`check --deploy` imports it).
    """
    return HttpResponsePermanentRedirect(static("favicon.svg"))
