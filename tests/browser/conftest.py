"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium, driven by Playwright.

Where Chromium (or Playwright) is missing, every browser test is reported as
skipped with the reason, and the rest of the suite runs as usual.
"""

import os

import pytest
from django.core.management import call_command

# Debian's package; CHROMIUM may point elsewhere (or nowhere, to try the skip).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _missing_browser_reason():
    if not os.path.exists(CHROMIUM):
        return f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return "browser tests need playwright and axe-playwright-python (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One Chromium per test module; Playwright's event loop ends with the module.

    Playwright's sync API runs an event loop in this thread, so Django's ORM
    would refuse to run here; DJANGO_ALLOW_ASYNC_UNSAFE lifts that for the
    browser tests only, and is put back when the module ends.
    """
    yield from launch_chromium(tmp_path_factory.mktemp("chromium"))


def launch_chromium(home, extra_args=()):
    """Yield a headless Chromium with its files under `home`, or skip if there is none."""
    reason = _missing_browser_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        patch.setenv("XDG_CONFIG_HOME", str(home / "config"))
        patch.setenv("XDG_CACHE_HOME", str(home / "cache"))
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[*CHROMIUM_ARGS, *extra_args],
            )
            yield chromium
            chromium.close()


@pytest.fixture
def socex_data(live_server):
    """The SOCEX 2019 programme as `make run` loads it: dates moved ahead, so it is open."""
    call_command("load_event_data", verbosity=0)


@pytest.fixture
def page(browser, live_server, socex_data):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
