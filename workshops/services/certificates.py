"""Attendance certificates: who gets one, issuing it, and checking one by its code.

A delegate admitted at one or more session doors (a live session `CheckIn`)
gets a certificate once the event's last session has ended: they download it
from their booking page and the worker emails them once
(`workshops.tasks.send_attendance_certificates`).

What is stored (`Certificate`) lets anyone check a certificate by its code on
the public page, for as long as the row is kept, without keeping who it was
for: the sessions, and keyed hashes (HMAC-SHA256, a key derived from
`SECRET_KEY`) of the name as printed and of everything certified. The page
shows what is certified without the name; a verifier may type the name as
printed to learn whether it matches. Codes are random (8 characters of an
alphabet without look-alikes, about 40 bits), so they cannot be guessed in
practice, and checking is rate-limited per address besides.
"""

import hashlib
import hmac
import io
import json
import secrets
import unicodedata
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from registration.models import Delegate
from registration.services.email import email_delegate
from registration.services.locking import lock_delegate
from socex.site_url import site_url
from workshops.exports.certificates import write_certificate
from workshops.models import Certificate, CheckIn, TimeSlot

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
CODE_LENGTH = 8


class CertificateNotReady(Exception):
    """No certificate for this delegate yet (the event has not ended, or they attended none)."""


def _key(purpose):
    return hashlib.sha256(f"socex-certificates-{purpose}:".encode() + settings.SECRET_KEY.encode())


def _mac(purpose, text):
    return hmac.new(_key(purpose).digest(), text.encode(), hashlib.sha256).hexdigest()


def printed_name(delegate):
    return f"{delegate.first_name} {delegate.last_name}".strip()


def normalise_name(name):
    """A name as typed, compared without case, accents' encoding or extra spaces."""
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def name_hash(*, code, name):
    return _mac("name", f"{code}\n{normalise_name(name)}")


def seal_for(*, code, event_name, sessions, minutes, issued_at):
    """The keyed hash of everything a certificate certifies: changing any of it breaks it."""
    content = json.dumps(
        [code, event_name, sessions, minutes, issued_at.isoformat()],
        sort_keys=True,
        ensure_ascii=False,
    )
    return _mac("seal", content)


def format_code(code):
    return f"{code[:4]}-{code[4:]}"


def parse_code(text):
    """The code as stored from what someone typed (any case, with or without the dash)."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:20]


def verification_url(certificate):
    return site_url() + reverse("certificates:verify", args=[format_code(certificate.code)])


def session_ends(event):
    """When each session of `event` ends, latest first: a queryset of datetimes."""
    return (
        TimeSlot.objects.filter(event=event).order_by("-ends_at").values_list("ends_at", flat=True)
    )


def event_has_ended(event, *, now=None):
    """True once the last session of `event` has ended (or, with none, its last day)."""
    return has_ended(event, last_session_ends_at=session_ends(event).first(), now=now)


def has_ended(event, *, last_session_ends_at, now=None):
    """`event_has_ended`, given when its last session ends (None: it has none), read already."""
    now = now or timezone.now()
    if last_session_ends_at is None:
        return timezone.localdate(now) > event.ends_on
    return last_session_ends_at <= now


def session_admissions(delegate):
    """The check-ins a certificate counts: `delegate` admitted at a session door, not undone."""
    return CheckIn.objects.filter(
        delegate=delegate, door=CheckIn.Door.SESSION, admitted=True, session__isnull=False
    )


def attended_sessions(delegate):
    """The sessions `delegate` was admitted to (and not undone), in time order."""
    checkins = (
        session_admissions(delegate)
        .select_related("session__workshop", "session__time_slot")
        .order_by("session__time_slot__starts_at", "session__pk")
    )
    return [checkin.session for checkin in checkins]


def _certified(sessions):
    return [
        {
            "workshop": session.workshop.title,
            "slot": session.time_slot.name,
            "starts_at": session.time_slot.starts_at.astimezone(UTC).isoformat(),
            "ends_at": session.time_slot.ends_at.astimezone(UTC).isoformat(),
        }
        for session in sessions
    ]


def _minutes(certified):
    return sum(
        int(
            (
                datetime.fromisoformat(item["ends_at"]) - datetime.fromisoformat(item["starts_at"])
            ).total_seconds()
            // 60
        )
        for item in certified
    )


@transaction.atomic
def certificate_for(*, delegate, now=None):
    """The delegate's certificate, issued now if they have none that still says what is true.

    A certificate is issued once; if the name or the sessions change after
    (a check-in undone, a name corrected), a new one is issued and the earlier
    one stays genuine for what it said. Side effects: locks the delegate (so
    two requests at once issue one certificate); may insert a `Certificate`.
    Raises `CertificateNotReady` before the event ends, for a delegate who
    attended no session, or one anonymised or erased.
    """
    now = now or timezone.now()
    delegate = lock_delegate(delegate.pk, related=["event"])
    event = delegate.event
    if delegate.anonymised_at or delegate.status == Delegate.Status.ERASED:
        raise CertificateNotReady("There is no certificate for this registration.")
    if not event_has_ended(event, now=now):
        raise CertificateNotReady(
            "Your attendance certificate will be ready here once the event has ended."
        )
    certified = _certified(attended_sessions(delegate))
    if not certified:
        raise CertificateNotReady(
            "There is no attendance certificate: no session check-in was recorded for you."
        )
    name = printed_name(delegate)
    for existing in Certificate.objects.filter(delegate=delegate, revoked_at__isnull=True):
        if existing.sessions == certified and existing.name_hash == name_hash(
            code=existing.code, name=name
        ):
            return existing
    return _issue(delegate=delegate, event=event, name=name, certified=certified, now=now)


def _issue(*, delegate, event, name, certified, now):
    minutes = _minutes(certified)
    for _ in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    code=code,
                    event=event,
                    delegate=delegate,
                    event_name=event.name,
                    sessions=certified,
                    minutes=minutes,
                    name_hash=name_hash(code=code, name=name),
                    seal=seal_for(
                        code=code,
                        event_name=event.name,
                        sessions=certified,
                        minutes=minutes,
                        issued_at=now,
                    ),
                    issued_at=now,
                )
        except IntegrityError:  # a code already taken: one in a trillion, draw again
            continue
    raise RuntimeError("Could not draw an unused certificate code.")


def verify_certificate(*, code, name=""):
    """What the certificate with `code` certifies, if it is genuine; None if not.

    Genuine means: the code is known, not revoked, and what is stored still
    carries its seal. With `name`, the result's `name_matches` says whether it
    is the name printed on the certificate (else None). Reads only.
    """
    certificate = Certificate.objects.filter(code=parse_code(code)).first()
    if certificate is None or certificate.revoked_at:
        return None
    expected = seal_for(
        code=certificate.code,
        event_name=certificate.event_name,
        sessions=certificate.sessions,
        minutes=certificate.minutes,
        issued_at=certificate.issued_at,
    )
    if not hmac.compare_digest(expected, certificate.seal):
        return None
    certificate.name_matches = (
        hmac.compare_digest(name_hash(code=certificate.code, name=name), certificate.name_hash)
        if normalise_name(name)
        else None
    )
    certificate.session_times = session_times(certificate)
    return certificate


def session_times(certificate):
    """The certificate's sessions, each with `starts` and `ends` as local datetimes."""
    return [
        {
            **item,
            "starts": timezone.localtime(datetime.fromisoformat(item["starts_at"])),
            "ends": timezone.localtime(datetime.fromisoformat(item["ends_at"])),
        }
        for item in certificate.sessions
    ]


def delegates_due_certificates(*, now=None):
    """Delegates of ended events, attended somewhere, never emailed a certificate."""
    now = now or timezone.now()
    return (
        Delegate.objects.active()
        .filter(anonymised_at__isnull=True)
        .filter(checkins__door=CheckIn.Door.SESSION, checkins__admitted=True)
        .exclude(certificates__emailed_at__isnull=False)
        .filter(event__time_slots__ends_at__lte=now)
        .distinct()
        .select_related("event")
        .order_by("pk")
    )


def certificate_filename(certificate):
    return f"attendance-certificate-{format_code(certificate.code)}.pdf"


def certificate_pdf(*, delegate, certificate):
    """The certificate as PDF bytes, with `delegate`'s name as printed. Pure but for drawing."""
    file = io.BytesIO()
    write_certificate(
        name=printed_name(delegate),
        event_name=certificate.event_name,
        sessions=session_times(certificate),
        minutes=certificate.minutes,
        code=format_code(certificate.code),
        verify_url=verification_url(certificate),
        issued_at=certificate.issued_at,
        file=file,
    )
    return file.getvalue()


def send_certificates(*, now=None):
    """Email each delegate who attended an ended event their certificate, once.

    Side effects: issues certificates (`certificate_for`), marks them emailed
    and queues an email with the PDF attached and a fresh booking link, in one
    transaction per delegate. Returns how many were emailed.
    """
    now = now or timezone.now()
    sent = 0
    for delegate in delegates_due_certificates(now=now):
        if not event_has_ended(delegate.event, now=now):
            continue
        with transaction.atomic():
            try:
                # Locks the delegate: a run at the same time waits here, then finds it emailed.
                certificate = certificate_for(delegate=delegate, now=now)
            except CertificateNotReady:
                continue
            if Certificate.objects.filter(delegate=delegate, emailed_at__isnull=False).exists():
                continue
            Certificate.objects.filter(pk=certificate.pk).update(emailed_at=now)
            email_delegate(
                delegate=delegate,
                subject="your attendance certificate",
                template="email/attendance_certificate",
                attachment=(
                    certificate_filename(certificate),
                    certificate_pdf(delegate=delegate, certificate=certificate),
                    "application/pdf",
                ),
                context={
                    "certificate": certificate,
                    "code": format_code(certificate.code),
                    "verify_url": verification_url(certificate),
                    "sessions": len(certificate.sessions),
                },
                with_link=True,
            )
            sent += 1
    return sent


def forget_certificate_holder(*, delegate):
    """Retention and erasure: certificates keep verifying but no longer point at anyone.

    Side effects: clears `delegate` on their certificates.
    """
    Certificate.objects.filter(delegate=delegate).update(delegate=None)


def qr_target(certificate):
    """What the QR code on the certificate opens: its verification page."""
    return verification_url(certificate)
