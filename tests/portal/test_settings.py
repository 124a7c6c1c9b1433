"""Settings from the environment: a bad value stops the process with a message naming it."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

# Importing the module is enough: every value is read and checked at import.
LOAD_SETTINGS = "import portal.settings"

# Only what a process needs to start: the test run sets variables (and a
# developer's shell may hold more) that would change how settings are read.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def production_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in PASSED_THROUGH}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="portal.example.com",
        CSRF_TRUSTED_ORIGINS="https://portal.example.com",
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be one of true/false"),
        ({"JOBS_HEARTBEAT_SECONDS": "60"}, "JOBS_SILENT_AFTER_SECONDS at least three times"),
        ({"JOBS_FILES_KEEP_DAYS": "0"}, "JOBS_FILES_KEEP_DAYS must be 1 or more"),
        ({"EMAIL_PORT": "abc"}, "EMAIL_PORT must be a whole number, got 'abc'"),
        ({"DB_CONN_MAX_AGE": "1.5"}, "DB_CONN_MAX_AGE must be a whole number"),
        ({"DATABASE_URL": "nonsense://"}, "DATABASE_URL is not a usable database URL"),
        ({"SECRET_KEY": None}, "SECRET_KEY must be set when DEBUG is off"),
        ({"SECRET_KEY": "   "}, "SECRET_KEY must be set when DEBUG is off"),
        ({"FIELD_ENCRYPTION_KEYS": None}, "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off"),
        ({"FIELD_ENCRYPTION_KEYS": " , "}, "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must list the site's host names"),
        (
            {"CSRF_TRUSTED_ORIGINS": "portal.example.com"},
            "CSRF_TRUSTED_ORIGINS entries must start with http:// or https://",
        ),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "EMAIL_USE_TLS and EMAIL_USE_SSL"),
        ({"CELERY_BROKER_URL": "localhost:6379"}, "CELERY_BROKER_URL must start with redis://"),
        ({"CACHE_URL": "127.0.0.1:6379/1"}, "CACHE_URL must start with redis://"),
        ({"SITE_URL": "portal.example.com"}, "SITE_URL must start with http://"),
        ({"TRUSTED_PROXY_COUNT": "one"}, "TRUSTED_PROXY_COUNT must be a whole number"),
        ({"SECURE_SSL_REDIRECT": "sometimes"}, "SECURE_SSL_REDIRECT must be one of"),
        (
            {"OUTBOX_LEASE_SECONDS": "300"},
            "OUTBOX_LEASE_SECONDS must be above the task time limit",
        ),
        ({"SUPPORT_INBOUND_LOCALPART": "support"}, "Set both SUPPORT_INBOUND_LOCALPART"),
        (
            {"SUPPORT_INBOUND_LOCALPART": "support+x", "SUPPORT_INBOUND_DOMAIN": "example.com"},
            "SUPPORT_INBOUND_LOCALPART must be letters",
        ),
        (
            {"SUPPORT_INBOUND_LOCALPART": "support", "SUPPORT_INBOUND_DOMAIN": "a@example.com"},
            "SUPPORT_INBOUND_DOMAIN must be a domain name",
        ),
        ({"SUPPORT_INBOUND_SECRET": "short"}, "SUPPORT_INBOUND_SECRET must be at least 24"),
        (
            {"SUPPORT_INBOUND_AUTHSERV_ID": "mx.example.com; dmarc=pass"},
            "SUPPORT_INBOUND_AUTHSERV_ID must be a host name",
        ),
    ],
)
def test_a_bad_value_stops_start_up_with_a_message_naming_it(overrides, message):
    result = run(["-c", LOAD_SETTINGS], production_env(**overrides))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_debug_needs_no_secret_key_or_hosts():
    env = production_env(DEBUG="1", SECRET_KEY=None, ALLOWED_HOSTS=None, FIELD_ENCRYPTION_KEYS=None)

    result = run(["-c", LOAD_SETTINGS], env)

    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_a_production_environment():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_email_replies_trust_the_from_header_alone():
    inbound = {"SUPPORT_INBOUND_LOCALPART": "support", "SUPPORT_INBOUND_DOMAIN": "example.com"}
    deploy = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]

    trusting = run(deploy, production_env(**inbound))
    checked = run(deploy, production_env(**inbound, SUPPORT_INBOUND_AUTHSERV_ID="mx.example.com"))

    assert trusting.returncode != 0
    assert "support.W001" in trusting.stderr + trusting.stdout
    assert "From header alone" in trusting.stderr + trusting.stdout
    assert checked.returncode == 0, checked.stdout + checked.stderr
