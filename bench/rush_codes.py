"""The confirmation code a virtual delegate would read in their inbox, issued from the database.

`bench/rush_http.py` speaks only HTTP; its callers (the rush benchmark and the
HTTP race tests) have Django set up and pass `code_from_database` as `code_for`.
"""

import time


def code_from_database(email, *, wait=10.0, close=True):
    """Issue a fresh code for `email`'s registration (once the server has made it); return it.

    Side effects: as `issue_confirmation_code`. Closes this thread's connection
    (it runs on the caller's worker threads) unless `close` is False: then the
    caller closes it, and a thread asking for many codes opens one connection,
    not one each (a PostgreSQL backend starting costs a few ms of CPU).
    """
    from django.db import connection  # imported late: Django is set up by the caller

    from registration.models import Delegate
    from registration.services.confirmation import issue_confirmation_code

    deadline = time.monotonic() + wait
    try:
        while True:
            # The server registers after its response: wait for the row.
            delegate = Delegate.objects.active().filter(email=email).first()
            if delegate is not None:
                return issue_confirmation_code(delegate=delegate)
            if time.monotonic() > deadline:
                raise RuntimeError(f"no registration for {email} after {wait} s")
            time.sleep(0.05)
    finally:
        if close:
            connection.close()
