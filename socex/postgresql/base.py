"""Django's PostgreSQL backend, with the health check of a kept connection after idleness only.

With `CONN_HEALTH_CHECKS`, Django sends `SELECT 1` before the first query of every
request (and of every worker job) that reuses a connection, so that one closed by
a server restart or an idle timeout is replaced rather than failing the request.
Under load that is one round trip in three on a page of two queries, for a
connection that answered milliseconds ago. Here the check runs only when the
connection has been left alone for `DATABASE_HEALTH_CHECK_IDLE_SECONDS` (default
5) since its last request or job ended: a busy connection goes straight to work,
one that sat idle is checked as before. What the check cannot catch either way (a
server that goes away mid-request) fails that request, as it did before.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    _last_request_ended_at = None

    def close_if_unusable_or_obsolete(self):
        # Django calls this when a request (or a task) starts and when it ends.
        idle_since = self._last_request_ended_at
        super().close_if_unusable_or_obsolete()
        self._last_request_ended_at = time.monotonic()
        if (
            self.connection is not None
            and idle_since is not None
            and self._last_request_ended_at - idle_since
            < settings.DATABASE_HEALTH_CHECK_IDLE_SECONDS
        ):
            self.health_check_done = True

    def close(self):
        super().close()
        self._last_request_ended_at = None
