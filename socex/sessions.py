"""Sessions that end after `SESSION_COOKIE_AGE` of inactivity, without a write on every request.

Django's `SESSION_SAVE_EVERY_REQUEST` keeps a session alive by writing it (an
UPDATE and a commit, and a new cookie) on every request that carries one: over
half the database writes of a delegate choosing workshops. Here a request
pushes the expiry back only once the stored expiry is more than
`SESSION_REFRESH_SECONDS` old, so a session still ends after between
`SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS` and `SESSION_COOKIE_AGE` of
inactivity, and a busy visitor costs one write every few minutes.

`SESSION_ENGINE = "socex.sessions"` selects `SessionStore`; `IdleTimeoutSessionMiddleware`
takes the place of Django's `SessionMiddleware`.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    """Django's database sessions, remembering when the stored session expires (`stored_expiry`)."""

    stored_expiry = None

    def _get_session_from_db(self):
        stored = super()._get_session_from_db()
        self.stored_expiry = stored.expire_date if stored else None
        return stored

    def is_due_for_refresh(self, *, now=None):
        """True if this stored session's idle expiry is more than `SESSION_REFRESH_SECONDS` old.

        Side effects: loads the session (one SELECT) if the request had not.
        A session given a fixed expiry (`set_expiry(datetime)`, the check-in
        phones') never needs refreshing; nor does one not stored (new or expired).
        """
        self._get_session()  # loads it, which sets stored_expiry
        if self.stored_expiry is None or "_session_expiry" in self._session:
            return False
        now = now or timezone.now()
        fresh_expiry = now + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        return fresh_expiry - self.stored_expiry > timedelta(seconds=refresh_seconds())


def refresh_seconds():
    """How old a session's expiry may get before a request pushes it back.

    `SESSION_REFRESH_SECONDS`, at most a tenth of `SESSION_COOKIE_AGE`, so a
    short session age still times out close to its length.
    """
    return min(settings.SESSION_REFRESH_SECONDS, settings.SESSION_COOKIE_AGE // 10)


class IdleTimeoutSessionMiddleware(SessionMiddleware):
    """Django's `SessionMiddleware`, saving a session unchanged by the request only when it is due.

    Side effects: a request that carries a stored session whose expiry is due
    for refreshing (`SessionStore.is_due_for_refresh`) marks it modified, so
    Django saves it with a new expiry and sends a new cookie; other unchanged
    sessions are not written.
    """

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if (
            session is not None
            and not session.modified
            and session.session_key is not None
            and response.status_code < 500
            and session.is_due_for_refresh()
        ):
            session.modified = True
        return super().process_response(request, response)
