"""Does "Find my booking" answer a registered address faster or slower than an unknown one?

Run from the repository root with `python bench/bench_link_request_timing.py`.
Times the view up to the response it hands the server (what a client can
measure), registered and unknown addresses in shuffled order, then the work done
after the response. Uses a throwaway SQLite database. Ends with one JSON line.
"""

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "socex.settings",
        "SECRET_KEY": "bench-only-not-a-secret",
        "DEBUG": "false",
        "RATE_LIMITS": "off",
        "STATIC_MANIFEST": "false",
        "SECURE_SSL_REDIRECT": "false",
    }
)

import django

django.setup()

from django.contrib.messages.storage.fallback import FallbackStorage  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROUNDS = 300


def main():
    setup_test_environment()  # in-memory email
    connection.creation.create_test_db(verbosity=0)
    from registration.views.link import request_link
    from tests.factories import DelegateFactory, EventFactory

    event = EventFactory()
    DelegateFactory(event=event, email="known@force.police.uk")
    factory = RequestFactory()
    view_ms = {"registered": [], "unknown": []}
    after_ms = {"registered": [], "unknown": []}
    # Shuffled, so neither kind always follows the other's after-response work.
    kinds = ["registered", "unknown"] * ROUNDS
    random.Random(1).shuffle(kinds)
    for i, kind in enumerate(kinds):
        email = "known@force.police.uk" if kind == "registered" else f"nobody{i}@force.police.uk"
        request = factory.post("/booking/link/", {"email": email})
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        request._dont_enforce_csrf_checks = True
        start = time.perf_counter()
        response = request_link(request)
        sent = time.perf_counter()
        response.close()
        done = time.perf_counter()
        view_ms[kind].append((sent - start) * 1000)
        after_ms[kind].append((done - sent) * 1000)
    result = {
        "bench": "link_request_timing",
        "rounds": ROUNDS,
        "response_ms_median_registered": round(statistics.median(view_ms["registered"]), 3),
        "response_ms_median_unknown": round(statistics.median(view_ms["unknown"]), 3),
        "after_response_ms_median_registered": round(statistics.median(after_ms["registered"]), 3),
        "after_response_ms_median_unknown": round(statistics.median(after_ms["unknown"]), 3),
    }
    result["response_ms_median_difference"] = round(
        result["response_ms_median_registered"] - result["response_ms_median_unknown"], 3
    )
    print(
        f"view answered a registered address in {result['response_ms_median_registered']} ms, "
        f"an unknown one in {result['response_ms_median_unknown']} ms (medians); the lookup "
        f"and email took {result['after_response_ms_median_registered']} ms after the response"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
