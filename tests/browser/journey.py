"""Steps of the delegate journey and the axe-core check, shared by the browser tests."""

from axe_playwright_python.sync_playwright import Axe

from tests.confirmation import emailed_code

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()


def axe_violations(page, state):
    """Run axe-core for WCAG 2.0/2.1/2.2 A and AA; return a readable report, or '' if clean."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    if results.violations_count == 0:
        return ""
    return f"== {page.url} ({state}): {results.violations_count} violations\n" + (
        results.generate_report()
    )


def assert_clean(reports):
    """Fail with every axe-core report collected along a journey, or pass if all are ''."""
    found = [r for r in reports if r]
    assert not found, "\n".join(found)


def fill_registration(page, *, email="priya.shah@force.police.uk"):
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Shah")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Job title").fill("Detective Inspector")
    page.locator("#id_agency").select_option(label="Cheshire Constabulary")
    page.get_by_label("Dietary requirements (optional)").fill("Vegetarian")
    page.locator("#id_needs_consent").check()
    page.locator("#id_privacy_accepted").check()


def register_unconfirmed(page, *, email="priya.shah@force.police.uk"):
    """Register through the form; the browser ends on the page asking for the emailed code."""
    page.goto("/register/")
    fill_registration(page, email=email)
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/booking/confirm/")


def type_emailed_code(page, *, email="priya.shah@force.police.uk"):
    """Read the code from the email queued to `email` and type it, as on a phone beside a laptop."""
    page.get_by_label("6-digit code").fill(emailed_code(email))
    page.get_by_role("button", name="Confirm my address").click()


def register(page, *, email="priya.shah@force.police.uk"):
    """Register and confirm the address with the emailed code; ends on the choose page."""
    register_unconfirmed(page, email=email)
    type_emailed_code(page, email=email)
    page.wait_for_url("**/booking/workshops/")


def choose_first_available(page):
    """Tick one workshop per round, never the same workshop twice."""
    taken = set()
    for fieldset in page.locator("fieldset.slot-fieldset").all():
        for radio in fieldset.locator("input[type=radio]:not([disabled])").all():
            title = radio.locator("xpath=..").locator(".fw-semibold").inner_text()
            if title not in taken:
                radio.check()
                taken.add(title)
                break
