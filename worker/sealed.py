"""Task arguments that carry personal data travel sealed, so the task table never shows them.

django-tasks-db stores a job's arguments as JSON in its row, which the admin
and any database copy show. Ids need no protection; an address typed into a
form does. `seal_arguments` encrypts them (`socex.fernet`) into one string to
pass as the argument, and `running_once` blanks it once the job's work commits.
"""

import json

from socex.fernet import fernet_for

SPENT = ""


def seal_arguments(**values):
    """`values` (JSON types) as one encrypted string, for a task argument."""
    return fernet_for("task-arguments").encrypt(json.dumps(values).encode()).decode()


def unseal_arguments(sealed):
    """The dict sealed by `seal_arguments`. Raises `cryptography.fernet.InvalidToken`."""
    return json.loads(fernet_for("task-arguments").decrypt(sealed.encode()))
