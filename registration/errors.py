"""The one base for errors a person is shown: a rule would break, and `message` says why.

Services raise a subclass and write nothing; views and the admin catch
`UserFacingError` (or a subclass) and show `message` beside the form or as an
admin message. Messages are plain sentences for a delegate or organiser, and
templates escape them like any other text.
"""


class UserFacingError(Exception):
    """A rule would break; `message` explains it to the person who asked.

    Subclasses may set a class-level `message` and be raised without one.
    """

    message = "That could not be done."

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(self.message)
