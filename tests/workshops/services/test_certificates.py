"""Attendance certificates: who gets one, what it certifies, and checking it, before and after
retention."""

import datetime
import io

import pytest
from pypdf import PdfReader

from outbox.models import OutgoingEmail
from outbox.sending import send_email
from registration.services.privacy import anonymise_delegate, erase_delegate
from tests.attending import attend, booked_delegate, door_staff
from workshops.exports.certificates import write_certificate
from workshops.exports.fonts import string_width
from workshops.exports.pdfs import BOLD
from workshops.models import Certificate
from workshops.services.certificates import (
    CertificateNotReady,
    certificate_for,
    format_code,
    send_certificates,
    verification_url,
    verify_certificate,
)


@pytest.fixture
def attendee(on_the_day, four_sessions):
    """Ada, booked in four sessions, scanned in at the first two; the event over at 14:00 UTC."""
    staff = door_staff()
    delegate = booked_delegate(
        on_the_day["event"], four_sessions, first_name="Ada", last_name="Okafor-Łukasz"
    )
    for session in four_sessions[:2]:
        attend(delegate, session, staff=staff)
    last = max(slot.ends_at for slot in on_the_day["slots"])
    return {"delegate": delegate, "sessions": four_sessions, "after": last + datetime.timedelta(1)}


def test_no_certificate_before_the_event_ends(attendee):
    before = attendee["sessions"][0].time_slot.ends_at
    with pytest.raises(CertificateNotReady, match="once the event has ended"):
        certificate_for(delegate=attendee["delegate"], now=before)
    assert Certificate.objects.count() == 0


def test_no_certificate_without_a_session_attended(attendee, on_the_day):
    s = on_the_day["sessions"]
    absent = booked_delegate(on_the_day["event"], [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    with pytest.raises(CertificateNotReady, match="no session check-in"):
        certificate_for(delegate=absent, now=attendee["after"])


def test_a_certificate_lists_the_sessions_attended_with_times(attendee):
    certificate = certificate_for(delegate=attendee["delegate"], now=attendee["after"])
    first, second = attendee["sessions"][:2]
    assert [(item["workshop"], item["starts_at"]) for item in certificate.sessions] == [
        (first.workshop.title, "2019-05-23T09:00:00+00:00"),
        (second.workshop.title, "2019-05-23T10:00:00+00:00"),
    ]
    assert certificate.minutes == 100
    # Asked again, it is the same certificate.
    assert certificate_for(delegate=attendee["delegate"], now=attendee["after"]) == certificate


def test_the_certificate_pdf_reads_back(attendee):
    certificate = certificate_for(delegate=attendee["delegate"], now=attendee["after"])
    genuine = verify_certificate(code=certificate.code)
    file = io.BytesIO()
    write_certificate(
        name="Ada Okafor-Łukasz",
        event_name=certificate.event_name,
        sessions=genuine.session_times,
        minutes=certificate.minutes,
        code=format_code(certificate.code),
        verify_url=verification_url(certificate),
        issued_at=certificate.issued_at,
        file=file,
    )
    text = PdfReader(io.BytesIO(file.getvalue())).pages[0].extract_text()
    first, second = attendee["sessions"][:2]
    for expected in (
        "Certificate of attendance",
        "Ada Okafor-Łukasz",
        first.workshop.title,
        second.workshop.title,
        "Thursday 23 May 2019, 10:00–10:50",  # BST
        "Thursday 23 May 2019, 11:00–11:50",
        "1 h 40 min",
        format_code(certificate.code),
        verification_url(certificate),
    ):
        assert expected in text, expected


def test_verification_says_what_is_certified_and_checks_the_name(attendee):
    certificate = certificate_for(delegate=attendee["delegate"], now=attendee["after"])
    checked = verify_certificate(code=format_code(certificate.code).lower())
    assert [item["workshop"] for item in checked.session_times] == [
        s.workshop.title for s in attendee["sessions"][:2]
    ]
    assert checked.name_matches is None
    assert verify_certificate(code=certificate.code, name="  ada  OKAFOR-łukasz ").name_matches
    assert verify_certificate(code=certificate.code, name="Ada Okafor").name_matches is False


@pytest.mark.parametrize("forget", [anonymise_delegate, erase_delegate])
def test_verification_works_after_the_delegate_is_forgotten(attendee, forget):
    certificate = certificate_for(delegate=attendee["delegate"], now=attendee["after"])
    forget(delegate=attendee["delegate"])
    certificate.refresh_from_db()
    assert certificate.delegate is None
    checked = verify_certificate(code=certificate.code, name="Ada Okafor-Łukasz")
    assert checked.name_matches is True
    assert len(checked.session_times) == 2


def test_unknown_forged_and_withdrawn_codes_are_refused(attendee):
    certificate = certificate_for(delegate=attendee["delegate"], now=attendee["after"])
    assert verify_certificate(code="ZZZZ-ZZZZ") is None
    assert verify_certificate(code="") is None
    # A row edited in the database (a session added) no longer carries its seal.
    forged = [*certificate.sessions, {**certificate.sessions[0], "workshop": "Invented"}]
    Certificate.objects.filter(pk=certificate.pk).update(sessions=forged)
    assert verify_certificate(code=certificate.code) is None
    Certificate.objects.filter(pk=certificate.pk).update(
        sessions=certificate.sessions, revoked_at=attendee["after"]
    )
    assert verify_certificate(code=certificate.code) is None


def test_certificates_are_emailed_once_after_the_event(attendee, on_the_day):
    s = on_the_day["sessions"]
    booked_delegate(on_the_day["event"], [s[(0, 1)], s[(1, 5)], s[(2, 3)], s[(3, 7)]])
    during = attendee["sessions"][0].time_slot.ends_at
    assert send_certificates(now=during) == 0
    assert send_certificates(now=attendee["after"]) == 1
    assert send_certificates(now=attendee["after"]) == 0
    (email,) = OutgoingEmail.objects.filter(subject__contains="attendance certificate")
    certificate = Certificate.objects.get()
    assert email.to == attendee["delegate"].email
    assert format_code(certificate.code) in email.body_text
    assert certificate.emailed_at == attendee["after"]


def test_the_emailed_certificate_is_the_pdf_as_sent_by_the_mail_server(
    attendee, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_certificates(now=attendee["after"])
    message = OutgoingEmail.objects.get(subject__contains="attendance certificate")

    assert send_email(message_id=message.pk)

    (sent,) = mailoutbox
    ((filename, content, mimetype),) = sent.attachments
    certificate = Certificate.objects.get()
    assert filename == f"attendance-certificate-{format_code(certificate.code)}.pdf"
    assert mimetype == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(content)).pages[0].extract_text().split())
    assert attendee["delegate"].last_name in text
    assert format_code(certificate.code) in text


def test_a_name_too_long_for_one_line_wraps_inside_the_page(attendee):
    """Names can be 201 characters; the longest, with or without spaces, stays on the page."""
    certificate = certificate_for(delegate=attendee["delegate"], now=attendee["after"])
    genuine = verify_certificate(code=certificate.code)
    for name in ("Wolfeschlegelsteinhausenbergerdorff " * 6, "W" * 100 + " " + "Ł" * 100):
        name = name.strip()
        file = io.BytesIO()
        write_certificate(
            name=name,
            event_name=certificate.event_name,
            sessions=genuine.session_times,
            minutes=certificate.minutes,
            code=format_code(certificate.code),
            verify_url=verification_url(certificate),
            issued_at=certificate.issued_at,
            file=file,
        )
        page = PdfReader(io.BytesIO(file.getvalue())).pages[0]
        page_width = float(page.mediabox.width)
        drawn = []

        def visitor(text, cm, tm, font_dict, font_size, drawn=drawn):
            if text.strip():
                drawn.append((tm[4], text.strip(), tm[0] * font_size))

        text = page.extract_text(visitor_text=visitor)
        assert "".join(name.split()) in "".join(text.split())
        # Every run of text starts and ends on the page (widths measured as they were drawn).
        for x, run, size in drawn:
            assert x >= 0 and x + string_width(run, BOLD, size) <= page_width, run
