"""Registration's background jobs."""

import datetime

from django_tasks import task

from registration.services.privacy import anonymise_expired_delegates
from worker.schedule import daily


@daily(at=datetime.time(3, 15))
@task
def apply_retention():
    """Anonymise delegates `RETENTION_DAYS` after their event ended.

    Idempotent: delegates already anonymised are skipped, so a second run of the
    same day does nothing.
    """
    done = anonymise_expired_delegates()
    return {"anonymised": sum(count for _event, count in done)}
