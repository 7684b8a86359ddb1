"""The workshops app's admin, one module per concept (imported here so the admin finds them)."""

from workshops.admin import (
    announcement,
    ballot,
    booking,
    checkin,
    dashboard,
    delegate,
    export,
    facilitator,
    feedback,
    move,
    programme,
    waitlist,
)

__all__ = [
    "announcement",
    "ballot",
    "booking",
    "checkin",
    "dashboard",
    "delegate",
    "export",
    "facilitator",
    "feedback",
    "move",
    "programme",
    "waitlist",
]
