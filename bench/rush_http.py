"""A virtual delegate that registers, confirms and chooses workshops over HTTP, like a browser.

Shared by `bench/bench_rush.py` and the HTTP race tests. Standard library only:
each `VirtualDelegate` keeps its own cookies, GETs every form first to get the
CSRF token, and never follows redirects itself, so each step is timed alone.
"""

import html
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO = re.compile(r"<input[^>]*type=\"radio\"[^>]*>")
ATTR = re.compile(r'(\w[\w-]*)(?:="([^"]*)")?')
AGENCY = re.compile(r'<option value="(\d+)"')
STARTUP_SECONDS = 120  # how long a server may take to answer its first request


class Response:
    def __init__(self, status, body, location, elapsed):
        self.status = status
        self.body = body
        self.location = location
        self.elapsed = elapsed


def parse_response(raw):
    """(status, [(lower-case header name, value)], body text) of a whole HTTP/1.1 response.

    The connection was closed by the server (`Connection: close`), so the body
    is everything after the headers; a chunked one is put back together.
    """
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = []
    for line in header_lines:
        name, _, value = line.partition(":")
        headers.append((name.strip().lower(), value.strip()))
    if ("transfer-encoding", "chunked") in headers:
        body = _unchunk(body)
    return int(status_line.split(" ", 2)[1]), headers, body.decode(errors="replace")


def _unchunk(body):
    parts, position = [], 0
    while True:
        line_end = body.index(b"\r\n", position)
        size = int(body[position:line_end].split(b";")[0], 16)
        if size == 0:
            return b"".join(parts)
        parts.append(body[line_end + 2 : line_end + 2 + size])
        position = line_end + 2 + size + 2


class VirtualDelegate:
    """One browser: its cookies and the steps a delegate takes.

    Speaks HTTP/1.1 on a plain socket, a fresh connection per request (gunicorn's
    sync workers close each one anyway), and keeps cookies in a dict: the server
    sets only host-wide, path "/" cookies, so name and value are all a browser
    would send back. `urllib`'s opener and `http.cookiejar` cost the rush's client
    about twice the CPU of `http.client`, which cost twice this (0.22 -> 0.10 ms
    a request, measured against gunicorn on this machine): CPU the server, on
    the same machine, could not use.
    """

    def __init__(self, base_url, *, timeout=60):
        self.base_url = base_url.rstrip("/")
        parts = urllib.parse.urlsplit(self.base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.timeout = timeout
        self.cookies = {}

    def request(self, path, data=None):
        """GET (or POST `data`) one path; return a `Response`, whatever the status."""
        lines = [
            f"{'GET' if data is None else 'POST'} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Connection: close",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            lines += [
                f"Referer: {self.base_url}{path}",
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        started = time.perf_counter()
        with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            chunks = []
            while chunk := sock.recv(262144):
                chunks.append(chunk)
        elapsed = time.perf_counter() - started
        status, headers, text = parse_response(b"".join(chunks))
        for name, value in headers:
            if name == "set-cookie":
                self._keep_cookie(value)
        location = None
        if 300 <= status < 400:
            location = next((value for name, value in headers if name == "location"), None)
        return Response(status, text, location, elapsed)

    def _keep_cookie(self, header):
        pair, _, attributes = header.partition(";")
        name, _, value = pair.strip().partition("=")
        if "max-age=0" in attributes.lower().replace(" ", ""):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    def csrf_from(self, response):
        match = CSRF.search(response.body)
        return match.group(1) if match else ""

    def register(self, *, number, attends_day_two=True):
        """GET then POST the registration form; return (form response, post response)."""
        form = self.request("/register/")
        agency = AGENCY.search(form.body)
        data = {
            "csrfmiddlewaretoken": self.csrf_from(form),
            "first_name": "Virtual",
            "last_name": f"Delegate {number}",
            "email": self.email_of(number),
            "job_title": "Detective Inspector",
            "agency": agency.group(1) if agency else "",
            "attends_day_one": "on",
            "privacy_accepted": "on",
        }
        if attends_day_two:
            data["attends_day_two"] = "on"
        return form, self.request("/register/", data)

    @staticmethod
    def email_of(number):
        return f"virtual.delegate{number}@force.police.uk"

    def confirm(self, code):
        """Type the emailed `code` on the confirm page; return the POST response."""
        form = self.request("/booking/confirm/")
        return self.request(
            "/booking/confirm/", {"csrfmiddlewaretoken": self.csrf_from(form), "code": code}
        )

    def choose_form(self):
        return self.request("/booking/workshops/")

    def choose(self, *, form, preference):
        """POST the choice form with the most preferred complete set the page offers (`best_set`).

        `preference` maps a workshop title to its rank (lower is better). Returns the
        POST response, or None when the page offered no complete set.
        """
        options = parse_options(form.body)
        picks = best_set(options, preference)
        if picks is None:
            return None
        return self.request(
            "/booking/workshops/", {"csrfmiddlewaretoken": self.csrf_from(form), **picks}
        )


def best_set(options, preference):
    """One open session per slot, all different workshops, preferred ones first; or None.

    A depth-first search (slots and workshops are few), so a delegate whose
    favourites clash still finds a set whenever the page offers one.
    """
    slots = list(options.items())

    def search(index, used):
        if index == len(slots):
            return {}
        name, sessions = slots[index]
        open_sessions = [s for s in sessions if not s["disabled"] and s["title"] not in used]
        for session in sorted(open_sessions, key=lambda s: preference.get(s["title"], 999)):
            rest = search(index + 1, used | {session["title"]})
            if rest is not None:
                return {name: session["value"], **rest}
        return None

    return search(0, frozenset()) if slots else None


def parse_options(page):
    """{slot field name: [{value, title, disabled}]} from the choose page."""
    titles = dict(
        re.findall(r'for="([^"]+)">\s*<span class="fw-semibold">([^<]+)</span>', page, flags=re.S)
    )
    options = {}
    for tag in RADIO.findall(page):
        attrs = {name: value for name, value in ATTR.findall(tag[len("<input") : -1])}
        if "name" not in attrs or "value" not in attrs:
            continue
        options.setdefault(attrs["name"], []).append(
            {
                "value": attrs["value"],
                "title": html.unescape(titles.get(attrs.get("id", ""), attrs["value"])),
                "disabled": "disabled" in attrs,
            }
        )
    return options


def run_delegate(*, base_url, number, preference, code_for, attempts=5):
    """Register one virtual delegate, confirm the address and book four workshops.

    `code_for(email)` returns a confirmation code for the address, as its owner
    would read it from their inbox (the caller has the database; this module
    has only HTTP). Returns a dict: `timings` {step: [seconds]}, `outcome`
    ("booked", "full" or "error"), `errors` (unexpected responses, as "step status").
    """
    client = VirtualDelegate(base_url)
    timings = {"register_form": [], "register": [], "confirm": [], "choose_form": [], "choose": []}
    errors = []

    def record(step, response, ok=(200, 302, 303)):
        timings[step].append(response.elapsed)
        if response.status not in ok:
            errors.append(f"{step} {response.status}")
            return False
        return True

    try:
        form, posted = client.register(number=number)
        if not (record("register_form", form) and record("register", posted)):
            return {"timings": timings, "outcome": "error", "errors": errors}
        if posted.status == 200:
            if "Day two is full" in posted.body:
                return {"timings": timings, "outcome": "full", "errors": errors}
            errors.append("register refused")
            return {"timings": timings, "outcome": "error", "errors": errors}
        confirmed = client.confirm(code_for(client.email_of(number)))
        if not record("confirm", confirmed, ok=(302,)):
            return {"timings": timings, "outcome": "error", "errors": errors}
        for _ in range(attempts):
            page = client.choose_form()
            if not record("choose_form", page, ok=(200,)):
                break
            response = client.choose(form=page, preference=preference)
            if response is None:
                if "Day two is full" not in page.body:
                    errors.append("choose page offered no complete set but did not say full")
                return {"timings": timings, "outcome": "full", "errors": errors}
            if not record("choose", response):
                break
            if response.status == 302:
                return {"timings": timings, "outcome": "booked", "errors": errors}
            # 200: someone took a place first; the page says so and we choose again.
    except OSError as error:
        errors.append(f"connection {type(error).__name__}")
    return {"timings": timings, "outcome": "error" if errors else "full", "errors": errors}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database_url):
    """The environment of a server process of the rush: plain HTTP, no rate limits.

    Rate limits are switched off (`RATE_LIMITS=off`): every virtual delegate
    comes from 127.0.0.1. HTTPS-only settings are off: this is plain HTTP on the loopback.
    """
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-a-secret"),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_MANIFEST": "false",
        "RATE_LIMITS": "off",
        # Plain HTTP on the loopback: no HTTPS redirect, cookies without the Secure flag.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "600",
    }


def prepare_database(env):
    """Migrate and load the SOCEX 2019 data, through manage.py with the environment `env`."""
    for command in (["migrate", "--noinput"], ["load_event_data"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def timed_post(port, path, cookie, fields):
    """POST the form `fields` on a fresh connection, as a browser holding `cookie`.

    Returns (status, ms to the first byte of the answer, ms to the server closing
    the connection): what someone timing the server from outside can see.
    """
    body = urllib.parse.urlencode(fields).encode()
    origin = f"http://127.0.0.1:{port}"
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        f"Origin: {origin}\r\nReferer: {origin}{path}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    with socket.create_connection(("127.0.0.1", port)) as sock:
        started = time.perf_counter()
        sock.sendall(request)
        first = sock.recv(65536)
        first_byte = time.perf_counter()
        while sock.recv(65536):
            pass
        closed = time.perf_counter()
    status = int(first.split(b" ", 2)[1])
    return status, (first_byte - started) * 1000, (closed - started) * 1000


def start_worker(*, database_url, environment=None):
    """Start a task worker (`manage.py run_worker`) against `database_url`; return the process.

    Registrations are made by the worker, as in production; stop it with `stop_gunicorn`.
    On PostgreSQL an idle worker is woken by each new job (`worker.wakeup`) and polls
    only every second; on SQLite it polls every 50 ms.
    """
    interval = "1" if database_url.startswith(("postgres", "pgsql")) else "0.05"
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--no-reload", "--interval", interval],
        cwd=ROOT,
        env={**server_environment(database_url), **(environment or {})},
        start_new_session=True,
    )


def start_gunicorn(*, database_url, workers, port=None, threads=1, environment=None):
    """Start `gunicorn socex.wsgi` against `database_url`; return (process, base URL).

    The environment is `server_environment`'s, updated with `environment`.
    """
    port = port or free_port()
    env = {**server_environment(database_url), **(environment or {})}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "socex.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    # Generous: four workers importing Django on a loaded two-core machine took over 30 s.
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            urllib.request.urlopen(base_url + "/accessibility/", timeout=2).read()
            return process, base_url
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(process)
    raise RuntimeError(f"gunicorn did not answer within {STARTUP_SECONDS} s")


def stop_gunicorn(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
