"""Logging filters: what reaches the log, and how much of it."""

import logging


class OneLineClientErrors(logging.Filter):
    """Log a refused request (any 4xx) as its one line, without the traceback.

    Django logs a 403 or 400 with the exception that caused it, so every refused
    URL wrote a whole traceback: anyone could fill the log by asking for pages
    they may not see. The line (status, path) stays; a 500 keeps its traceback.
    """

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
