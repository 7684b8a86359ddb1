"""Settings for the SOCEX registration site, read from the environment.

Everything that differs between a laptop and production comes from environment
variables (or a `.env` file beside manage.py); see `.env.example`.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from socex.rates import parse_rate

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-only-for-debug")
else:
    SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and any(host.strip() in ("*", ".") for host in ALLOWED_HOSTS):
    raise ImproperlyConfigured("With DEBUG off, ALLOWED_HOSTS must name the site's hosts, not '*'.")

INSTALLED_APPS = [
    "socex.apps.SocexAdminConfig",  # django.contrib.admin with a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "worker.apps.JobsConfig",  # django-tasks-db, under a plainer name in the admin
    "worker",
    "outbox",
    "registration",
    "workshops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "socex.security_headers.PermissionsPolicyMiddleware",
    "socex.content_security_policy.CachedPolicyCSPMiddleware",  # django-csp's, policy built once
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's SessionMiddleware, writing an unchanged session only every few minutes.
    "socex.sessions.IdleTimeoutSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "socex.site_url.LinksFollowRequestMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "socex.second_factor.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "socex.urls"
WSGI_APPLICATION = "socex.wsgi.application"
# Widgets render with the project templates too (the session radio buttons do).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "registration.context_processors.current_event",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two bookings
    # serialise instead of failing on lock upgrade; WAL lets readers carry on.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, checking a kept connection only after it sat idle this long.
        DATABASES["default"]["ENGINE"] = "socex.postgresql"
DATABASE_HEALTH_CHECK_IDLE_SECONDS = env.float("DATABASE_HEALTH_CHECK_IDLE_SECONDS", default=5.0)
# PostgreSQL plans a query it has seen 5 times on a connection once, not on every run:
# server-side binding lets psycopg prepare it (Django turns this off by default for
# PgBouncer older than 1.21 in transaction mode; set DATABASE_PREPARED_STATEMENTS=false
# behind one). In the rush it cut PostgreSQL's CPU per booking from 18.8 to 13.0 ms.
if DATABASES["default"]["ENGINE"] == "socex.postgresql" and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# `PASSWORD_HASHERS=md5` (tests/environment.py sets it): fast, for test suites only, and
# alone, so hashes made in production stop verifying rather than turn into MD5.
# Django's default hashers otherwise; `check --deploy` warns about md5 (socex.W002).
_PASSWORD_HASHERS = env("PASSWORD_HASHERS", default="")
if _PASSWORD_HASHERS == "md5":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
elif _PASSWORD_HASHERS:
    raise ImproperlyConfigured("PASSWORD_HASHERS may only be 'md5' (for test suites), or unset.")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console by default; `smtp://user:pass@host:587` or `filemail:////abs/path`.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# How long a worker may hold a message it is sending before another may try it: longer
# than the slowest send (a few EMAIL_TIMEOUTs). A worker killed mid-send delays its
# messages this long; see "Background work" in docs/architecture.md.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
# How long after an organiser changes a round's times or a session's room the booked
# delegates are emailed: saving again before then (a typo put right) sends one email, not two.
TIMETABLE_NEWS_DELAY_SECONDS = env.int("TIMETABLE_NEWS_DELAY_SECONDS", default=120)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="SOCEX registration <registration@socex.invalid>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute origin used in links inside emails (no request is at hand when mail is retried).
# Unset, it is where `make run` serves (RUN_ADDRESS, which the worker sees too, so the
# emails its own periodic jobs send link there as well).
SITE_URL = env("SITE_URL", default=f"http://{env('RUN_ADDRESS', default='127.0.0.1:8000')}").rstrip(
    "/"
)
# On a laptop (DEBUG on, SITE_URL not set) links follow the address the site was reached
# at, whatever the port (socex/site_url.py); otherwise SITE_URL.
SITE_URL_FROM_REQUEST = DEBUG and "SITE_URL" not in env.ENVIRON

# The booking link: single use, short lived; it opens a session that ends after inactivity.
MANAGE_LINK_HOURS = env.int("MANAGE_LINK_HOURS", default=72)
# The code emailed to confirm an address: how long it works, and how many wrong
# guesses spend it (a new one must then be sent, which RATE_LIMITS["resend_code"] limits).
CONFIRMATION_CODE_MINUTES = env.int("CONFIRMATION_CODE_MINUTES", default=15)
CONFIRMATION_CODE_ATTEMPTS = env.int("CONFIRMATION_CODE_ATTEMPTS", default=5)
# Where registration sends a signed-in delegate: pages of the workshops app, named here
# (as Django names LOGIN_REDIRECT_URL) so that registration never imports workshops.
DELEGATE_HOME_URL = "workshops:manage"
DELEGATE_CHOOSE_URL = "workshops:choose"
# UK GDPR: `apply_retention` anonymises delegates this many days after their event ends.
RETENTION_DAYS = env.int("RETENTION_DAYS", default=90)
# `purge_unconfirmed` deletes registrations whose address was never confirmed this many
# days after they were made (nobody proved they are anyone's; they may be made up).
UNCONFIRMED_REGISTRATION_DAYS = env.int("UNCONFIRMED_REGISTRATION_DAYS", default=7)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 2)
# A session ends after SESSION_COOKIE_AGE of inactivity: a request pushes its expiry back
# once the stored expiry is SESSION_REFRESH_SECONDS old (at most a tenth of the age), rather
# than writing the session on every request (socex/sessions.py).
SESSION_ENGINE = "socex.sessions"
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LOGIN_URL = "admin:login"

# --- Background work ------------------------------------------------------
# Django's tasks API (django-tasks, the backport of django.tasks) on django-tasks-db:
# jobs are rows in our one database, run by `manage.py run_worker` processes on any host.
# Code enqueues a job inside the transaction whose work it finishes (worker.E001 keeps
# this backend).
# Two queues: "default" (email, registration, the periodic jobs: quick) and "long" (ballot
# allocations, large exports: minutes), so no email waits behind a long job. `make run`
# starts a worker for each; in production run workers for both (docs/deployment.md).
TASKS = {
    "default": {
        "BACKEND": "worker.backend.PreparedDatabaseBackend",
        "QUEUES": ["default", "long"],
    }
}
# How often each worker says it is alive and looks for due periodic jobs, and how long a
# silent worker has before its running jobs are handed to another.
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=10.0)
WORKER_DEAD_AFTER_SECONDS = env.float("WORKER_DEAD_AFTER_SECONDS", default=60.0)
# Finished jobs stay visible in the admin this long, then the daily prune deletes them.
TASK_RESULTS_KEEP_DAYS = env.int("TASK_RESULTS_KEEP_DAYS", default=7)
# The longest an organiser may let a ballot allocation run (they choose up to this).
BALLOT_TIME_LIMIT_MAX_MINUTES = env.int("BALLOT_TIME_LIMIT_MAX_MINUTES", default=60)
# PDF and XLSX downloads of at least this many delegates (or seats) are built by a worker
# and fetched when ready, instead of inside the request; such files are deleted after
# EXPORT_FILE_KEEP_HOURS.
BACKGROUND_EXPORT_MIN_ROWS = env.int("BACKGROUND_EXPORT_MIN_ROWS", default=500)
EXPORT_FILE_KEEP_HOURS = env.float("EXPORT_FILE_KEEP_HOURS", default=24.0)

# --- Security -------------------------------------------------------------
# HTTPS everywhere in production. Behind a proxy that terminates TLS, set
# SECURE_PROXY_SSL_HEADER to the header it sets (usually X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env("SECURE_PROXY_SSL_HEADER", default=""):
    _header = env("SECURE_PROXY_SSL_HEADER").upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (f"HTTP_{_header}", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()"
)
# No inline script or style anywhere, Django's admin included (its templates
# pass data in data- attributes since 4.x; verified by tests/socex/test_security_headers).
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if DEBUG:
    # Django's own debug pages use inline style and script: report, do not block, on a laptop.
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# Caches: Redis in production (shared by every server process, so rate limits
# hold across them); local memory otherwise, e.g. `make run` (with rate limits
# on and DEBUG off, `check --deploy` refuses it: socex.E001).
if env("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
elif env("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# How many reverse proxies we run in front of the app: the client address is
# that many hops from the right of X-Forwarded-For (0: use the socket address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Rate limits on the public forms (socex/ratelimit.py), "count/period" with
# period s, m, h or d. Per address limits are generous because a whole force
# often reaches us from one gateway address. An email typed into a form is
# counted per client address, so a stranger typing someone else's address
# cannot lock its owner out, and under a looser ceiling over all addresses.
RATE_LIMITS_ENABLED = env("RATE_LIMITS", default="on").strip().lower() not in ("off", "false", "0")
RATE_LIMITS = {
    "register": {
        "ip": parse_rate(env("RATE_LIMIT_REGISTER_IP", default="60/h")),
        "email_per_ip": parse_rate(env("RATE_LIMIT_REGISTER_EMAIL", default="10/h")),
        "email_all_ips": parse_rate(env("RATE_LIMIT_REGISTER_EMAIL_ALL_IPS", default="40/h")),
    },
    "link": {
        "ip": parse_rate(env("RATE_LIMIT_LINK_IP", default="30/h")),
        "email_per_ip": parse_rate(env("RATE_LIMIT_LINK_EMAIL", default="5/h")),
        "email_all_ips": parse_rate(env("RATE_LIMIT_LINK_EMAIL_ALL_IPS", default="20/h")),
    },
    # Typing the emailed code (the address is the one the browser is confirming).
    "confirm_code": {
        "ip": parse_rate(env("RATE_LIMIT_CONFIRM_CODE_IP", default="60/h")),
        "email_all_ips": parse_rate(env("RATE_LIMIT_CONFIRM_CODE_EMAIL", default="20/h")),
    },
    # Typed searches on the check-in page, per phone link or account: a stolen link must
    # not list every delegate by typing letters (scanning badges is not limited).
    "checkin_search": parse_rate(env("RATE_LIMIT_CHECKIN_SEARCH", default="300/h")),
    # Emails a facilitator sends to their sessions, per facilitator: each reaches a room.
    "facilitator_email": parse_rate(env("RATE_LIMIT_FACILITATOR_EMAIL", default="10/h")),
    # "Send me a new code": each new code allows CONFIRMATION_CODE_ATTEMPTS more guesses.
    "resend_code": {
        "ip": parse_rate(env("RATE_LIMIT_RESEND_CODE_IP", default="30/h")),
        "email_all_ips": parse_rate(env("RATE_LIMIT_RESEND_CODE_EMAIL", default="5/h")),
    },
    # Offering a place to a colleague: each offer emails the address typed in.
    "handover": {
        "ip": parse_rate(env("RATE_LIMIT_HANDOVER_IP", default="10/h")),
        "email_all_ips": parse_rate(env("RATE_LIMIT_HANDOVER_EMAIL", default="3/h")),
    },
    # Checking a name against a certificate: someone holding a code must not try name after
    # name until one matches.
    "certificate_name": {
        "ip": parse_rate(env("RATE_LIMIT_CERTIFICATE_NAME_IP", default="30/h")),
    },
}

# Admin sign-in: django-axes locks a username at one address after repeated
# failures, so a stranger cannot lock the organiser out; a looser ceiling per
# username over all addresses, locking out only the addresses that failed, is
# ours (socex/sign_in_lockout.py). Records live
# in the database (works with any cache).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_USERNAME_FAILURE_LIMIT = env.int("AXES_USERNAME_FAILURE_LIMIT", default=20)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "socex.sign_in_lockout.SignInLockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "socex/429.html"
AXES_CLIENT_IP_CALLABLE = "socex.client_ip.client_ip"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False

# Organisers and staff sign in with a second factor (TOTP) whenever DEBUG is
# off. Turning it off without DEBUG is for test suites only (a deploy check warns).
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="SOCEX registration")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_client_errors": {"()": "socex.log_filters.OneLineClientErrors"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["one_line_client_errors"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Django's own "django" logger prints to the console too; let it reach the root once.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}
