"""Settings for the contractor portal, read from the environment.

Every value that differs between a laptop and production comes from an
environment variable; a malformed value stops the process at start with a
message naming the variable, rather than surfacing later as odd behaviour.
"""

import os
import re
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import available_timezones

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from portal.observability import logging_config, sentry_init

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("PORTAL_TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-and-tests-0123456789"  # noqa: S105

# Tax ids and payout accounts are encrypted at rest (django-fernet-encrypted-fields,
# which reads SALT_KEY). Each key is derived from SECRET_KEY with one of these, so
# rotating SECRET_KEY keeps the old one in SECRET_KEY_FALLBACKS. New values are
# written with the first key; all of them read: a new key goes first, and an old
# one may leave the list once every row has been saved again.
SALT_KEY = env_list("FIELD_ENCRYPTION_KEYS")
if not SALT_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")
    SALT_KEY = ["insecure-development-field-key-only-for-debug-and-tests"]
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS entries must start with http:// or https://, got {_origin!r}."
        )


def env_url(name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value and not value.startswith(tuple(f"{scheme}://" for scheme in schemes)):
        raise ImproperlyConfigured(
            f"{name} must start with {' or '.join(f'{s}://' for s in schemes)}, got {value!r}."
        )
    return value


SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", ("http", "https")).rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Contractor portal")

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "portal.apps.PortalConfig",
    "accounts",
    "projects",
    "payments",
    "portal.support",
    "portal.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.observability.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.UserLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so it is the first to see a view's exception.
    "portal.db_faults.DatabaseFaultMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
                "portal.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite file in the project unless DATABASE_URL says otherwise.
_default_db = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", _default_db), conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login, and it must be verified before use.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# allauth's forms with labels in the site's words (accounts/forms/sign_in.py).
ACCOUNT_FORMS = {
    "login": "accounts.forms.sign_in.LoginForm",
    "change_password": "accounts.forms.sign_in.ChangePasswordForm",
    "reset_password_from_key": "accounts.forms.sign_in.ResetPasswordKeyForm",
}
# How many reverse proxies in front of the site add X-Forwarded-For; the
# client address (login rate limits, agreement acceptances) is read past them.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
MFA_TOTP_TOLERANCE = 1

# Caches back allauth's rate limits; a shared cache is needed once there is
# more than one web process.
CACHE_URL = env_url("CACHE_URL", "", ("redis", "rediss"))
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions live in the database; with a shared cache they are read from it first, which
# spares every page a query. A per-process cache would let a signed-out session live on
# in another process's memory, so without one they are read from the database alone.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL
    else "django.contrib.sessions.backends.db"
)

# The site's languages. Adding one is a catalog in portal/locale/ and a line here.
LANGUAGES = [
    ("en", "English"),
    ("id", "Bahasa Indonesia"),
    ("vi", "Tiếng Việt"),
    ("zh-hant", "繁體中文"),
]
LANGUAGE_CODE = "en"
# Our catalog first; then the fills for what Django and allauth lack in a language.
LOCALE_PATHS = [BASE_DIR / "portal" / "locale", BASE_DIR / "portal" / "locale_fills"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
# The countries the vendor mostly works with (ISO 3166): wherever a currency is
# chosen, theirs are offered first, after the contractor's own.
VENDOR_COUNTRIES = env_list("VENDOR_COUNTRIES", "US,ID,VN,TW,DE,GB")
# The wage-floor bases the vendor's policy counts; the highest in force binds.
# A living wage counts only where a row for the place exists.
WAGE_FLOOR_BASES = env_list("WAGE_FLOOR_BASES", "statutory,vendor,living")
if not set(WAGE_FLOOR_BASES) <= {"statutory", "vendor", "living"}:
    raise ImproperlyConfigured("WAGE_FLOOR_BASES may list only statutory, vendor and living.")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# WhiteNoise warns on every request when the collected-static folder is absent.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files (résumés, tax documents) are private: they live outside the
# static root and have no URL; only authorising views stream them.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "var" / "private")
# No URL pattern serves this prefix; storages for uploads are built without a base URL.
MEDIA_URL = "/private-media-is-never-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
RESUME_MAX_BYTES = 5 * 1024 * 1024

# Email: console unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Contractor portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: without a broker, tasks run in-process right away (the embedded default).
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", "", ("redis", "rediss", "amqp", "amqps"))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = TESTING
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A broker outage must not stall a web request: give up quickly and let the
# outbox sweep deliver what was recorded.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
}
# One try per publish: a broker that refuses fails in well under a second, one
# that hangs in socket_timeout; either way the outbox rows wait for the sweep.
CELERY_TASK_PUBLISH_RETRY = False
# How often beat sweeps the outbox, and checks for scheduled pauses that are due.
OUTBOX_SWEEP_EVERY_SECONDS = env_int("OUTBOX_SWEEP_EVERY_SECONDS", 60)
PROJECT_PAUSES_CHECK_EVERY_SECONDS = env_int("PROJECT_PAUSES_CHECK_EVERY_SECONDS", 30)
JOBS_SWEEP_EVERY_SECONDS = env_int("JOBS_SWEEP_EVERY_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "portal.notifications.tasks.outbox_sweep",
        "schedule": timedelta(seconds=OUTBOX_SWEEP_EVERY_SECONDS),
    },
    # Jobs whose worker died, jobs the broker lost, and files past their keeping.
    "jobs-sweep": {
        "task": "portal.jobs.tasks.jobs_sweep",
        "schedule": timedelta(seconds=JOBS_SWEEP_EVERY_SECONDS),
    },
    "project-pauses-due": {
        "task": "projects.tasks.project_pauses_apply_due",
        "schedule": timedelta(seconds=PROJECT_PAUSES_CHECK_EVERY_SECONDS),
    },
    # A week's pay period opens within the hour its first day begins anywhere.
    "pay-periods-open": {
        "task": "payments.tasks.pay_periods_open",
        "schedule": timedelta(hours=1),
    },
    "pay-periods-close-due": {
        "task": "payments.tasks.pay_periods_close_due",
        "schedule": timedelta(hours=1),
    },
    # Contractors with unsubmitted hours and reviewers, a set time before a period closes.
    "pay-periods-remind": {
        "task": "payments.tasks.pay_periods_remind",
        "schedule": timedelta(minutes=15),
    },
    # Sanctions decided ahead, suspensions and interim suspensions ending, on their dates.
    "cases-apply-due": {
        "task": "projects.tasks.cases_apply_due",
        "schedule": timedelta(minutes=5),
    },
    "support-clocks-check": {
        "task": "portal.support.tasks.support_clocks_check",
        "schedule": timedelta(minutes=5),
    },
    # Overdue payouts reach the staff who pay once a day; checked hourly so a beat that
    # restarts, or a worker that was down, still sends that day's email.
    "payouts-overdue": {
        "task": "payments.tasks.payouts_overdue",
        "schedule": timedelta(hours=1),
    },
}
# Pay periods are weeks starting on this weekday (0 = Monday … 6 = Sunday); the
# schedule closes each one this many whole days after its last day.
PAY_PERIOD_START_WEEKDAY = env_int("PAY_PERIOD_START_WEEKDAY", 0)
if not 0 <= PAY_PERIOD_START_WEEKDAY <= 6:
    raise ImproperlyConfigured("PAY_PERIOD_START_WEEKDAY must be 0 (Monday) to 6 (Sunday).")
PAY_PERIOD_CLOSE_AFTER_DAYS = env_int("PAY_PERIOD_CLOSE_AFTER_DAYS", 2)
if PAY_PERIOD_CLOSE_AFTER_DAYS < 0:
    raise ImproperlyConfigured("PAY_PERIOD_CLOSE_AFTER_DAYS must be 0 or more.")
# Contractors with unsubmitted hours are reminded this many hours before a period closes.
PERIOD_CLOSE_REMINDER_HOURS = env_int("PERIOD_CLOSE_REMINDER_HOURS", 24)
if PERIOD_CLOSE_REMINDER_HOURS < 0:
    raise ImproperlyConfigured("PERIOD_CLOSE_REMINDER_HOURS must be 0 or more.")
# A payout is due this many days after its pay period closed.
PAYOUT_DUE_DAYS = env_int("PAYOUT_DUE_DAYS", 7)
if PAYOUT_DUE_DAYS < 0:
    raise ImproperlyConfigured("PAYOUT_DUE_DAYS must be 0 or more.")
# Who bears the payout provider's fees: the vendor on top of the payout ("absorbed"), or
# the contractor, taken from what is sent ("deducted"; then pay after fees is topped up to
# the floor).
PAYOUT_FEES_POLICY = env_str("PAYOUT_FEES_POLICY", "absorbed")
if PAYOUT_FEES_POLICY not in ("absorbed", "deducted"):
    raise ImproperlyConfigured("PAYOUT_FEES_POLICY must be absorbed or deducted.")
# A lower rate takes effect at the earliest this many days after the contractor is told.
RATE_CUT_NOTICE_DAYS = env_int("RATE_CUT_NOTICE_DAYS", 7)
# Notice a pause or a close is owed; with less, assignees are paid standby for the days missing.
PAUSE_MIN_NOTICE_DAYS = env_int("PAUSE_MIN_NOTICE_DAYS", 7)
CLOSE_MIN_NOTICE_DAYS = env_int("CLOSE_MIN_NOTICE_DAYS", 14)
for _name in ("RATE_CUT_NOTICE_DAYS", "PAUSE_MIN_NOTICE_DAYS", "CLOSE_MIN_NOTICE_DAYS"):
    if globals()[_name] < 0:
        raise ImproperlyConfigured(f"{_name} must be 0 or more.")


def _late_payment_minimums(raw: str) -> dict[str, str]:
    """``EUR=5,JPY=750`` → {"EUR": "5", "JPY": "750"}: amounts in major units, kept exact."""
    minimums = {}
    for item in (part.strip() for part in raw.split(",") if part.strip()):
        code, _sep, amount = item.partition("=")
        try:
            if len(code.strip()) != 3 or Decimal(amount) < 0:
                raise InvalidOperation
        except InvalidOperation:
            raise ImproperlyConfigured(
                f"LATE_PAYMENT_MINIMUMS must read like EUR=5,JPY=750; got {item!r}."
            ) from None
        minimums[code.strip().upper()] = amount.strip()
    return minimums


# A payout paid after its due date earns this percentage of its net per started week late,
# at least the minimum set for its currency (none where a currency has none).
LATE_PAYMENT_PERCENT = env_str("LATE_PAYMENT_PERCENT", "1")
try:
    if Decimal(LATE_PAYMENT_PERCENT) < 0:
        raise InvalidOperation
except InvalidOperation:
    raise ImproperlyConfigured("LATE_PAYMENT_PERCENT must be a number, 0 or more.") from None
LATE_PAYMENT_MINIMUMS = _late_payment_minimums(
    env_str(
        "LATE_PAYMENT_MINIMUMS",
        "EUR=5,USD=5,GBP=4,IDR=80000,VND=125000,TWD=150,JPY=750,KWD=1.5",
    )
)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5)
OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", 200)
# How long a never-tried email is left to the task queued at its commit
# before the sweep takes it, and how long one sweep may run.
OUTBOX_SWEEP_GRACE_SECONDS = env_int("OUTBOX_SWEEP_GRACE_SECONDS", 60)
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 120)
# How long a worker holds the emails it claimed before sending them. A task is
# killed at its hard time limit, so past it the claim can only belong to a dead
# worker and the sweep may take the rows back.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", CELERY_TASK_TIME_LIMIT + 60)
if OUTBOX_LEASE_SECONDS <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("OUTBOX_LEASE_SECONDS must be above the task time limit.")
for _name in (
    "OUTBOX_SWEEP_EVERY_SECONDS",
    "PROJECT_PAUSES_CHECK_EVERY_SECONDS",
    "OUTBOX_MAX_ATTEMPTS",
    "OUTBOX_BATCH_SIZE",
    "OUTBOX_SWEEP_SECONDS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")
if OUTBOX_SWEEP_GRACE_SECONDS < 0:
    raise ImproperlyConfigured("OUTBOX_SWEEP_GRACE_SECONDS must be 0 or more.")
if OUTBOX_SWEEP_SECONDS >= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("OUTBOX_SWEEP_SECONDS must be below the task soft time limit.")

# Background jobs (payout generation, bulk pauses, large exports): how long one may run
# (its task's hard limit; the soft limit is 30 s earlier), how often its progress is
# written, and how long a queued job waits before starting it again queues it again.
JOBS_TIME_LIMIT_SECONDS = env_int("JOBS_TIME_LIMIT_SECONDS", 3600)
JOBS_PROGRESS_EVERY_SECONDS = env_int("JOBS_PROGRESS_EVERY_SECONDS", 1)
JOBS_REQUEUE_AFTER_SECONDS = env_int("JOBS_REQUEUE_AFTER_SECONDS", 60)
# A running job's worker writes that it is alive this often (on PostgreSQL); a job silent
# for JOBS_SILENT_AFTER_SECONDS lost its worker, and the sweep marks it failed.
JOBS_HEARTBEAT_SECONDS = env_int("JOBS_HEARTBEAT_SECONDS", 15)
JOBS_SILENT_AFTER_SECONDS = env_int("JOBS_SILENT_AFTER_SECONDS", 120)
if JOBS_HEARTBEAT_SECONDS < 1 or JOBS_SILENT_AFTER_SECONDS < 3 * JOBS_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "JOBS_HEARTBEAT_SECONDS must be 1 or more, and JOBS_SILENT_AFTER_SECONDS at least "
        "three times it."
    )
# How long a finished job's file is kept before the sweep removes it.
JOBS_FILES_KEEP_DAYS = env_int("JOBS_FILES_KEEP_DAYS", 30)
if JOBS_FILES_KEEP_DAYS < 1:
    raise ImproperlyConfigured("JOBS_FILES_KEEP_DAYS must be 1 or more.")
if JOBS_TIME_LIMIT_SECONDS < 60:
    raise ImproperlyConfigured("JOBS_TIME_LIMIT_SECONDS must be 60 or more.")
# A payroll file with more rows than this is written by a background job, not in the request.
PAYROLL_EXPORT_DIRECT_MAX_ROWS = env_int("PAYROLL_EXPORT_DIRECT_MAX_ROWS", 100_000)
if PAYROLL_EXPORT_DIRECT_MAX_ROWS < 0:
    raise ImproperlyConfigured("PAYROLL_EXPORT_DIRECT_MAX_ROWS must be 0 or more.")
if JOBS_PROGRESS_EVERY_SECONDS < 0 or JOBS_REQUEUE_AFTER_SECONDS < 0:
    raise ImproperlyConfigured(
        "JOBS_PROGRESS_EVERY_SECONDS and JOBS_REQUEUE_AFTER_SECONDS must be 0 or more."
    )

# Support's answer clock runs in the team's business hours, in the team's zone,
# skipping its holidays (ISO dates, comma-separated). Targets are business days
# per question category, for the first answer and each later one.
SUPPORT_BUSINESS_HOURS = {
    "time_zone": env_str("SUPPORT_TIME_ZONE", "UTC"),
    "weekdays": (0, 1, 2, 3, 4),
    "start": time(9, 0),
    "end": time(17, 0),
}
if SUPPORT_BUSINESS_HOURS["time_zone"] not in available_timezones():
    raise ImproperlyConfigured("SUPPORT_TIME_ZONE must be an IANA time zone such as Asia/Jakarta.")
try:
    SUPPORT_HOLIDAYS = [date.fromisoformat(day) for day in env_list("SUPPORT_HOLIDAYS")]
except ValueError as _exc:
    raise ImproperlyConfigured("SUPPORT_HOLIDAYS must be ISO dates (2026-12-25,…).") from _exc
SUPPORT_TARGETS = {"pay": 1, "hours": 2, "project": 2, "account": 1, "other": 2}
# The responsible managers hear of a question this many business minutes before it is due.
SUPPORT_ESCALATE_BEFORE_MINUTES = env_int("SUPPORT_ESCALATE_BEFORE_MINUTES", 120)
# A closed conversation can be reopened by its asker for this many days.
SUPPORT_REOPEN_DAYS = env_int("SUPPORT_REOPEN_DAYS", 14)
SUPPORT_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024

# Due process: the contractor's days to answer a notice, to appeal a decision, the target
# for deciding an appeal, the least notice before an offboarding takes effect (unless the
# rule is egregious), the longest interim suspension (business days), how long a
# representative's read-only link to the case stays valid, and the largest file sent with a
# case (a response, an appeal, evidence).
CASE_RESPONSE_DAYS = env_int("CASE_RESPONSE_DAYS", 7)
CASE_APPEAL_DAYS = env_int("CASE_APPEAL_DAYS", 21)
CASE_APPEAL_TARGET_DAYS = env_int("CASE_APPEAL_TARGET_DAYS", 7)
CASE_OFFBOARDING_NOTICE_DAYS = env_int("CASE_OFFBOARDING_NOTICE_DAYS", 14)
CASE_INTERIM_MAX_BUSINESS_DAYS = env_int("CASE_INTERIM_MAX_BUSINESS_DAYS", 7)
CASE_REPRESENTATIVE_LINK_DAYS = env_int("CASE_REPRESENTATIVE_LINK_DAYS", 30)
CASE_UPLOAD_MAX_BYTES = env_int("CASE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
for _name in (
    "CASE_RESPONSE_DAYS",
    "CASE_APPEAL_DAYS",
    "CASE_APPEAL_TARGET_DAYS",
    "CASE_OFFBOARDING_NOTICE_DAYS",
    "CASE_INTERIM_MAX_BUSINESS_DAYS",
    "CASE_REPRESENTATIVE_LINK_DAYS",
    "CASE_UPLOAD_MAX_BYTES",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")
# Replies to support answers by email: answers go out with Reply-To
# <LOCALPART>+<signed token>@<DOMAIN>, and whatever reads that mailbox hands each
# message to `manage.py support_read_mail` or POSTs it to /support/inbound/ with
# the secret in the X-Support-Inbound-Secret header. Unset, answers say to reply
# on the site.
SUPPORT_INBOUND_LOCALPART = env_str("SUPPORT_INBOUND_LOCALPART")
SUPPORT_INBOUND_DOMAIN = env_str("SUPPORT_INBOUND_DOMAIN").lower()
SUPPORT_INBOUND_SECRET = env_str("SUPPORT_INBOUND_SECRET")
SUPPORT_INBOUND_MAX_BYTES = env_int("SUPPORT_INBOUND_MAX_BYTES", 25 * 1024 * 1024)
# The authserv-id the receiving mail server writes in its Authentication-Results
# header. Set, a reply is taken only when that header shows DMARC, or DKIM of the
# From domain, passed; unset, the From header alone says who sent it.
SUPPORT_INBOUND_AUTHSERV_ID = env_str("SUPPORT_INBOUND_AUTHSERV_ID").lower()
if bool(SUPPORT_INBOUND_LOCALPART) != bool(SUPPORT_INBOUND_DOMAIN):
    raise ImproperlyConfigured(
        "Set both SUPPORT_INBOUND_LOCALPART and SUPPORT_INBOUND_DOMAIN, or neither."
    )
if not re.fullmatch(r"[A-Za-z0-9._-]*", SUPPORT_INBOUND_LOCALPART):
    raise ImproperlyConfigured(
        "SUPPORT_INBOUND_LOCALPART must be letters, digits, '.', '_' or '-' (no '+' or '@')."
    )
if not re.fullmatch(r"([a-z0-9-]+\.)*[a-z0-9-]*", SUPPORT_INBOUND_DOMAIN):
    raise ImproperlyConfigured("SUPPORT_INBOUND_DOMAIN must be a domain name such as example.com.")
if SUPPORT_INBOUND_SECRET and len(SUPPORT_INBOUND_SECRET) < 24:
    raise ImproperlyConfigured("SUPPORT_INBOUND_SECRET must be at least 24 characters long.")
if SUPPORT_INBOUND_MAX_BYTES < 1024:
    raise ImproperlyConfigured("SUPPORT_INBOUND_MAX_BYTES must be at least 1024.")
if not re.fullmatch(r"[a-z0-9._-]*", SUPPORT_INBOUND_AUTHSERV_ID):
    raise ImproperlyConfigured(
        "SUPPORT_INBOUND_AUTHSERV_ID must be a host name such as mx.example.com."
    )

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_auth.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api_kit.SignedIn"],
    "EXCEPTION_HANDLER": "portal.api_kit.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "portal.api_schema.ErrorsAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("API_USER_RATE", "1200/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Contractor portal API",
    "DESCRIPTION": (
        "Read and write what the site does, within the token owner's rights. Payout details "
        "are the exception: changing where pay goes takes the password or an authenticator "
        "again, which a token cannot give, so they are changed on the site only."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # No call-outs to the public Swagger validator: nothing leaves the site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # One name per choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "NotificationKindEnum": "portal.models.NotificationKind",
        "EntryKindEnum": "projects.models.EntryKind",
        "ProjectStatusEnum": "projects.models.ProjectStatus",
        "PauseReasonEnum": "projects.models.PauseReason",
        "ScheduledPauseStatusEnum": "projects.models.ScheduledPauseStatus",
        "SupportStatusEnum": "portal.support.models.ConversationStatus",
        "SupportCategoryEnum": "portal.support.models.Category",
        "CaseStatusEnum": "projects.models.CaseStatus",
        "SanctionEnum": "accounts.models.Sanction",
        "AppealOutcomeEnum": "projects.models.AppealOutcome",
        "EvidenceKindEnum": "projects.models.EvidenceKind",
        "PayoutStatusEnum": "payments.models.PayoutStatus",
        "WageFloorBasisEnum": "projects.models.FloorBasis",
        "WageFloorUnitEnum": "projects.models.FloorUnit",
    },
}

# Security: on by default outside DEBUG so `check --deploy` is clean.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not TESTING)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG and not TESTING)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Everything the pages load comes from the site itself; no inline script runs.
# QR codes for authenticator apps are data: images; the API docs run from
# drf-spectacular's sidecar files (the split view keeps its script external).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

VALID_TIME_ZONES = frozenset(available_timezones())

# Log lines carry the request id and the Celery task id; JSON lines unless DEBUG
# (LOG_FORMAT=json|text overrides).
_LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG or TESTING else "json")
if _LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {_LOG_FORMAT!r}.")
LOGGING = logging_config(json_lines=_LOG_FORMAT == "json", level=env_str("LOG_LEVEL", "INFO"))
# Workers log through the same configuration instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Errors go to Sentry only when a DSN is configured; nothing is sent otherwise.
SENTRY_DSN = env_url("SENTRY_DSN", "", ("http", "https"))
if SENTRY_DSN:
    sentry_init(dsn=SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"))

# django-debug-toolbar, for `make run` only: it is in the dev extra, never in production.
if DEBUG and env_bool("DEBUG_TOOLBAR", False):
    INSTALLED_APPS.append("debug_toolbar")
    MIDDLEWARE.insert(0, "debug_toolbar.middleware.DebugToolbarMiddleware")
    INTERNAL_IPS = ["127.0.0.1", "::1"]
    # Folded away until asked for, so a newcomer's first look (on a phone too) is the site.
    DEBUG_TOOLBAR_CONFIG = {"SHOW_COLLAPSED": True}
    # The toolbar's panel runs inline script; the policy allows it only on the laptop.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"].append(UNSAFE_INLINE)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"].append(UNSAFE_INLINE)
