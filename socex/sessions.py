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

A write is also one statement, not Django's four or more: outside a transaction
(where the middleware saves) a single INSERT or UPDATE is atomic by itself, so
it gets no BEGIN and COMMIT of its own; a new key is not looked up first (a
taken one fails the INSERT, and `create` draws another, as Django does); and
`cycle_key` renames the stored row instead of inserting a copy and deleting the
original, in the same UPDATE that saves the session's new data at the end of the
request. Registering went from 4 session statements to 1, confirming the
address (which signs in, so cycles the key) from 9 to 2, then to 1.

Outside a transaction those statements are written as SQL here, not built by the
ORM: `Model.save` and `QuerySet.update` spent 130 to 180 us of CPU per write
compiling the same three-column statement (no signal receiver listens to
sessions, so nothing else is skipped).
"""

import secrets
from contextlib import nullcontext
from datetime import timedelta
from functools import cache
from typing import NamedTuple

from django.conf import settings
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils import timezone

from socex.prepared import PreparedQuery


class _StoredValues(NamedTuple):
    key: str
    data: str
    expiry: object  # as the database backend takes a datetime


class _SessionTable(NamedTuple):
    """The sessions table's and its columns' names, quoted for SQL."""

    name: str
    key: str
    data: str
    expiry: str


@cache
def _session_table(using):
    model = SessionStore.get_model_class()
    quote = connections[using].ops.quote_name
    return _SessionTable(
        name=quote(model._meta.db_table),
        key=quote(model._meta.get_field("session_key").column),
        data=quote(model._meta.get_field("session_data").column),
        expiry=quote(model._meta.get_field("expire_date").column),
    )


_KEY_CHARS = frozenset(VALID_KEY_CHARS)


@cache
def _stored_session():
    model = SessionStore.get_model_class()
    return PreparedQuery(model, lambda key: model.objects.filter(session_key=key), key=str)


class SessionStore(DatabaseSessionStore):
    """Django's database sessions, remembering when the stored session expires (`stored_expiry`)."""

    stored_expiry = None
    # The key the session is stored under until `save` renames it (set by `cycle_key`).
    renamed_from = None

    def _validate_session_key(self, key):
        """Django's rule (eight characters or more), and only characters a key is made of.

        A cookie can carry anything (a quoted octal escape makes a NUL byte, which
        PostgreSQL refuses in a query: a 500); a key we could not have made is no
        session, and is not looked up.
        """
        return bool(key) and 8 <= len(key) <= 40 and _KEY_CHARS.issuperset(key)

    def _get_new_session_key(self):
        """A random key (165 bits), not looked up first: `create` retries if the INSERT fails."""
        return new_session_key()

    def _in_transaction(self):
        using = router.db_for_write(self.model)
        return transaction.get_connection(using).in_atomic_block

    def save(self, must_create=False):
        """Django's save; outside a transaction, the one INSERT or UPDATE without BEGIN and COMMIT.

        Inside a transaction Django's savepoint stays: a failed INSERT must not
        break the caller's transaction. Raises `CreateError` (the key is taken)
        or `UpdateError` (the row is gone), as Django does.
        """
        if self.renamed_from is not None and not must_create:
            return self._save_renamed()
        if self.session_key is None or self._in_transaction():
            return super().save(must_create=must_create)
        data = self._get_session(no_load=must_create)
        values = self._stored_values(data)
        table = self._table()
        if must_create:
            try:
                self._execute(
                    f"INSERT INTO {table.name} ({table.key}, {table.data}, {table.expiry}) "
                    "VALUES (%s, %s, %s)",
                    [values.key, values.data, values.expiry],
                )
            except IntegrityError:
                raise CreateError from None
            return
        try:
            updated = self._execute(
                f"UPDATE {table.name} SET {table.data} = %s, {table.expiry} = %s "
                f"WHERE {table.key} = %s",
                [values.data, values.expiry, values.key],
            )
        except DatabaseError:
            raise UpdateError from None  # as Django's save turns any failed update
        if not updated:
            raise UpdateError

    def cycle_key(self):
        """Give the session a new key, keeping its data; the stored row is renamed when saved.

        What Django's `cycle_key` leaves once the response saves the session is
        the same: the old key no longer finds anything, and the data is stored
        under the new key. Here that is one UPDATE, in `save`, renaming the row
        and writing its data together; until then nothing is written, so a
        request that fails before saving leaves the old session as it was (it
        was not signed in: what signing in adds is saved only under the new
        key). A session not stored (new, or its row gone) gets a new key and is
        created when saved.
        """
        if self.session_key is None or self._in_transaction():
            return super().cycle_key()
        data = self._session  # loads it; a row gone or expired forgets the key
        self.modified = True
        if self.session_key is None:
            return  # not stored: `save` creates it under a new key
        if self.renamed_from is None:
            self.renamed_from = self.session_key
        self._session_key = self._get_new_session_key()
        self._session_cache = data

    def _save_renamed(self):
        """Rename the stored row to the new key and write the data: one UPDATE.

        Side effects: if the row has gone meanwhile, the session is created
        under a new key instead; a new key already taken is drawn again.
        """
        old_key = self.renamed_from
        data = self._get_session()
        table = self._table()
        while True:
            values = self._stored_values(data)
            try:
                with self._savepoint_if_in_transaction():
                    renamed = self._execute(
                        f"UPDATE {table.name} SET {table.key} = %s, {table.data} = %s, "
                        f"{table.expiry} = %s WHERE {table.key} = %s",
                        [values.key, values.data, values.expiry, old_key],
                    )
            except IntegrityError:
                self._session_key = self._get_new_session_key()  # taken: draw another
                continue
            break
        self.renamed_from = None
        if not renamed:
            self.create()

    def _table(self):
        return _session_table(router.db_for_write(self.model))

    def _stored_values(self, data):
        """The row's key, encoded data and expiry, as the database takes them."""
        connection = connections[router.db_for_write(self.model)]
        expiry = self.model._meta.get_field("expire_date")
        return _StoredValues(
            key=self._get_or_create_session_key(),
            data=self.encode(data),
            expiry=expiry.get_db_prep_save(self.get_expiry_date(), connection),
        )

    def _execute(self, sql, params):
        """Run one statement on the sessions' database; how many rows it changed."""
        with connections[router.db_for_write(self.model)].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def _savepoint_if_in_transaction(self):
        # Outside a transaction one UPDATE is atomic by itself; inside one, a failed
        # UPDATE must not break the caller's transaction.
        if self._in_transaction():
            return transaction.atomic(using=router.db_for_write(self.model))
        return nullcontext()

    def delete(self, session_key=None):
        """Delete the stored session (one DELETE; Django reads the row first)."""
        if session_key is None:
            # After `cycle_key`, the row is still stored under the old key until saved.
            session_key, self.renamed_from = self.renamed_from or self.session_key, None
            if session_key is None:
                return
        self.model.objects.filter(session_key=session_key).delete()

    def _get_session_from_db(self):
        """The stored session, unexpired, or None (and the key forgotten), as Django's.

        Read by a query prepared once per connection (`socex.prepared`), by key
        alone, the expiry compared here: Django's `get(session_key=...,
        expire_date__gt=now)` spent 0.25 ms building and compiling the same
        SELECT on every request that carries a session.
        """
        found = _stored_session()(key=self.session_key)
        stored = found[0] if found and found[0].expire_date > timezone.now() else None
        if stored is None:
            self._session_key = None
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


# Random bytes below this map onto the key's characters evenly (252 = 7 x 36).
_EVEN_BYTES = 256 - 256 % len(VALID_KEY_CHARS)


def new_session_key(length=32):
    """`length` characters drawn evenly from Django's session key alphabet by the system's CSPRNG.

    What Django's `get_random_string(32, VALID_KEY_CHARS)` draws, from one read
    of random bytes instead of one per character: 30 us -> 3 us, paid on every
    new session and every sign-in (`cycle_key`).
    """
    characters = []
    while len(characters) < length:
        characters.extend(
            VALID_KEY_CHARS[byte % len(VALID_KEY_CHARS)]
            for byte in secrets.token_bytes(length)
            if byte < _EVEN_BYTES
        )
    return "".join(characters[:length])


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
