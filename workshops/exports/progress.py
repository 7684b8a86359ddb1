"""How far a file being built has got, for the worker that builds large downloads.

The writers (`pdfs`, `spreadsheets`) call `advance(n)` as they finish rows (a
badge, a seat on a sign-in sheet, a spreadsheet row). In a request nobody
listens and it costs a context-variable read; the worker building a file in
the background (`workshops.exports.files`) listens with `reporting_progress`
and writes the count to the file's row for its progress bar.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from reportlab.platypus import Flowable

_listener = ContextVar("export_progress_listener", default=None)


@contextmanager
def reporting_progress(listener):
    """While the block runs, call `listener(n)` for every `advance(n)` in this context."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def advance(n=1):
    """Say `n` more rows are written."""
    listener = _listener.get()
    if listener is not None:
        listener(n)


class ProgressMark(Flowable):
    """An invisible flowable that reports `n` rows when reportlab draws it.

    A PDF built with platypus lays pages out only in `build()`, after the story is
    made, so a mark placed after each page's table reports progress as pages are
    drawn rather than all at once up front.
    """

    def __init__(self, n):
        super().__init__()
        self.n = n

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        advance(self.n)
