"""The check-in page for phones, its JSON calls, and opening a check-in link.

Who may use them: a signed-in account holding `workshops.check_in` (Door
staff, Organisers), a browser that opened a check-in link, whose session
then reaches these views and nothing else (it is not signed in as anyone), or
a facilitator signed in by their emailed link, at their own sessions' doors only.
Every answer is `Cache-Control: no-store`. The JSON answers carry only what a
door needs: name, badge name, agency and that day's sessions.
"""

import hmac
import json
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socex.ratelimit import over_limit
from workshops.forms.checkin import (
    MAX_SCANS_PER_REQUEST,
    DoorForm,
    ScanForm,
    SearchForm,
    UndoForm,
    first_error,
)
from workshops.models import CheckinDevice
from workshops.services.checkin import (
    TONES,
    door_figures,
    record_scan,
    search_attendees,
    seat_standby,
    sessions_on,
    undo_scan,
)
from workshops.services.checkin_devices import find_usable_device, mark_used
from workshops.services.doors import PERMISSION, CheckinError, DoorStaff, doors_for, find_door
from workshops.views.facilitator_access import signed_in_facilitator

DEVICE_KEY = "socex_checkin_device"
# Left in the session of a phone whose link stopped working, so that reloading the page says
# so (and not the organisers' sign-in page): "revoked" or "expired".
LINK_ENDED_KEY = "socex_checkin_link_ended"
# The page uses the camera; every other page denies it (settings.PERMISSIONS_POLICY).
CAMERA_POLICY = settings.PERMISSIONS_POLICY.replace("camera=()", "camera=(self)")
HEADLINES = {
    "admitted": "Checked in",
    "walk_in": "Walk-in: checked in",
    "from_standby": "Seated from standby",
    "already": "Already checked in",
    "standby": "Full: on standby",
    "elsewhere": "Booked in another room",
    "no_seat": "Cannot take a seat here",
    "not_today": "Not registered for today",
    "cancelled": "Cancelled",
    "incomplete": "Registration not complete",
    "unknown": "Badge not recognised",
}


def door_staff(request):
    """The `DoorStaff` this request acts as, or None.

    A phone signed in with a check-in link keeps the link's id and its token's
    hash: a new link for the same door list (`issue_checkin_link`, which also
    lifts a revocation) signs out every phone that opened an earlier one, so a
    lost phone does not come back to life when its replacement gets a link.
    """
    signed_in = request.session.get(DEVICE_KEY)
    if signed_in is not None:
        device_id, token_hash = (
            signed_in if isinstance(signed_in, list) and len(signed_in) == 2 else (None, None)
        )
        device = (
            CheckinDevice.objects.select_related("event").filter(pk=device_id).first()
            if type(device_id) is int and isinstance(token_hash, str)
            else None
        )
        if (
            device is not None
            and device.is_usable()
            and hmac.compare_digest(device.token_hash, token_hash)
        ):
            return DoorStaff(device=device)
        request.session.pop(DEVICE_KEY, None)
        # Its own link, neither revoked nor replaced by a new one: it has run out.
        expired = (
            device is not None
            and device.revoked_at is None
            and hmac.compare_digest(device.token_hash, token_hash)
        )
        request.session[LINK_ENDED_KEY] = "expired" if expired else "revoked"
        return None
    facilitator = signed_in_facilitator(request)
    if facilitator is not None:
        return DoorStaff(facilitator=facilitator)
    user = request.user
    if user.is_authenticated and user.is_active and user.has_perm(PERMISSION):
        return DoorStaff(user=user)
    return None


def signed_out_answer():
    return JsonResponse(
        {
            "error": "signed_out",
            "message": "This phone is no longer signed in to check-in. Scans not yet sent stay "
            "on it: sign in again (or ask an organiser for a new link) and they will be sent.",
        },
        status=403,
    )


def door_staff_required(*, page=False):
    """Give the view `request.door_staff`; otherwise a sign-in redirect (page) or a JSON 403."""

    def decorator(view):
        @never_cache
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request.door_staff = door_staff(request)
            if request.door_staff is None:
                if not page:
                    return signed_out_answer()
                if request.user.is_authenticated:
                    raise PermissionDenied("You may not check delegates in.")
                ended = request.session.get(LINK_ENDED_KEY)
                if ended:
                    return link_ended_page(request, ended=ended)
                return redirect(f"{reverse('admin:login')}?{urlencode({'next': request.path})}")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def link_ended_page(request, *, ended):
    """What a phone whose check-in link was revoked or has expired shows: ask for a new one."""
    return render(request, "socex/checkin_link_invalid.html", {"ended": ended}, status=403)


def error_answer(message, status=400):
    return JsonResponse({"error": "refused", "message": message}, status=status)


def read_json(request):
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        return None
    return data if isinstance(data, dict) else None


@door_staff_required(page=True)
@require_GET
def page(request):
    staff = request.door_staff
    event = staff.event()
    doors = doors_for(staff=staff, event=event) if event else []
    today = timezone.localdate()
    # A facilitator's session page links here with their room's door chosen.
    asked = request.GET.get("door", "")
    default_door = next((d.key for d in doors if d.key == asked), "") or next(
        (d.key for d in doors if d.day == today), ""
    )
    response = render(
        request,
        "socex/checkin.html",
        {
            "staff": staff,
            "doors": doors,
            "checkin_event": event,
            "default_door": default_door,
            "today": today,
        },
    )
    response["Permissions-Policy"] = CAMERA_POLICY
    return response


def scan_answer(checkin, *, replayed):
    """What the phone shows for a recorded scan: colour, words, and who."""
    answer = {
        "id": str(checkin.scan_id),
        "outcome": checkin.outcome,
        "tone": TONES.get(checkin.outcome, "red"),
        "headline": HEADLINES[checkin.outcome],
        "message": checkin.message,
        "door": checkin.door_label,
        "by": checkin.by_name,
        "replayed": replayed,
        "undoable": checkin.undoable,
        "undone": checkin.undone_at is not None,
    }
    delegate = checkin.delegate
    if delegate is not None:
        answer.update(
            name=delegate.full_name,
            badge_name=delegate.badge_name,
            agency=delegate.agency.name,
        )
        if checkin.admitted:
            answer["sessions"] = [
                f"{b.time_slot.times} {b.session.workshop.title} ({b.session.room.name})"
                for b in sessions_on(delegate=delegate, day=checkin.day)
            ]
    return answer


@door_staff_required()
@require_POST
def scans(request):
    """Record a batch of scans (one, or a phone's offline queue); answer each, in order."""
    data = read_json(request)
    batch = data.get("scans") if data else None
    if not isinstance(batch, list) or not batch:
        return error_answer('Send {"scans": [...]} with at least one scan.')
    if len(batch) > MAX_SCANS_PER_REQUEST:
        return error_answer(f"Send at most {MAX_SCANS_PER_REQUEST} scans at a time.")
    staff = request.door_staff
    doors, results = {}, []
    for item in batch:
        form = ScanForm(item if isinstance(item, dict) else {})
        if not form.is_valid():
            results.append(
                {
                    "id": str(item.get("id", "")) if isinstance(item, dict) else "",
                    "error": first_error(form),
                }
            )
            continue
        scan = form.cleaned_data
        try:
            if scan["door"] not in doors:
                doors[scan["door"]] = find_door(staff=staff, key=scan["door"])
            checkin, replayed = record_scan(
                scan_id=scan["id"],
                door=doors[scan["door"]],
                reference=scan["reference"].strip(),
                scanned_at=scan["at"],
                by=staff,
            )
        except CheckinError as error:
            results.append({"id": str(scan["id"]), "error": error.message})
            continue
        results.append(scan_answer(checkin, replayed=replayed))
    if staff.device is not None:
        mark_used(device=staff.device)
    return JsonResponse({"results": results})


@door_staff_required()
@require_POST
def undo(request):
    form = UndoForm(read_json(request) or {})
    if not form.is_valid():
        return error_answer(first_error(form))
    try:
        checkin = undo_scan(scan_id=form.cleaned_data["id"], by=request.door_staff)
    except CheckinError as error:
        return error_answer(error.message)
    return JsonResponse(scan_answer(checkin, replayed=False))


def search_limited(request):
    """Whether this staff has typed too many searches (a stolen link must not list everyone)."""
    if not settings.RATE_LIMITS_ENABLED:
        return False
    staff = request.door_staff
    if staff.device is not None:
        who = f"device:{staff.device.pk}"
    elif staff.facilitator is not None:
        who = f"facilitator:{staff.facilitator.pk}"
    else:
        who = f"user:{staff.user.pk}"
    return over_limit(
        scope="checkin_search", kind="staff", value=who, rate=settings.RATE_LIMITS["checkin_search"]
    )


@door_staff_required()
@require_GET
def search(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        return error_answer(first_error(form))
    if search_limited(request):
        return error_answer("Too many searches from this phone: scan badges, or wait a while.", 429)
    try:
        door = find_door(staff=request.door_staff, key=form.cleaned_data["door"])
        found = search_attendees(
            door=door,
            text=form.cleaned_data["q"],
            # A facilitator is shown only their own session's people (walk-ins: scan the badge).
            booked_here=request.door_staff.facilitator is not None,
        )
    except CheckinError as error:
        return error_answer(error.message)
    return JsonResponse(
        {
            "results": [
                {
                    "reference": row["checkin_reference"],
                    "badge_name": row["badge_name"],
                    "name": f"{row['first_name']} {row['last_name']}",
                    "agency": row["agency_name"],
                }
                for row in found
            ]
        }
    )


def figures_answer(door):
    figures = door_figures(door=door)
    answer = {
        "door": door.label,
        "expected": figures.expected,
        "arrived": figures.arrived,
        "standby": [entry.delegate.badge_name for entry in figures.standby],
        "no_shows": figures.no_shows,
        "release_at": (
            f"{timezone.localtime(figures.release_at):%H:%M}" if figures.release_at else None
        ),
    }
    return answer


@door_staff_required()
@require_GET
def door(request):
    form = DoorForm(request.GET)
    if not form.is_valid():
        return error_answer(first_error(form))
    try:
        door = find_door(staff=request.door_staff, key=form.cleaned_data["door"])
    except CheckinError as error:
        return error_answer(error.message)
    return JsonResponse(figures_answer(door))


@door_staff_required()
@require_POST
def standby(request):
    """Seat the people on standby at a session's door (free places; no-shows' after the time)."""
    form = DoorForm(read_json(request) or {})
    if not form.is_valid():
        return error_answer(first_error(form))
    try:
        door = find_door(staff=request.door_staff, key=form.cleaned_data["door"])
        seated = seat_standby(door=door, by=request.door_staff)
    except CheckinError as error:
        return error_answer(error.message)
    return JsonResponse(
        {
            "seated": [delegate.badge_name for delegate, _ in seated],
            "released": sum(1 for _, released in seated if released is not None),
            **figures_answer(door),
        }
    )


@never_cache
@require_http_methods(["GET", "POST"])
def open_link(request, token):
    """A check-in link: GET shows what it is for, POST signs this browser in to check-in only."""
    device = find_usable_device(token)
    if device is None:
        return render(request, "socex/checkin_link_invalid.html", status=404)
    if request.method == "POST":
        request.session.flush()
        request.session[DEVICE_KEY] = [device.pk, device.token_hash]
        request.session.set_expiry(device.expires_at)
        mark_used(device=device)
        return redirect("checkin:page")
    return render(request, "socex/checkin_open_link.html", {"device": device})


@require_POST
def sign_out(request):
    request.session.flush()
    return redirect("checkin:signed_out")


@never_cache
def signed_out(request):
    return render(request, "socex/checkin_signed_out.html")
