"""Fixtures for the delivery tests that run against real services (``-m services``)."""

import subprocess
from collections.abc import Iterator

import pytest

from tests.portal.delivery import Inbox, celery_worker, require_services, smtp_server


@pytest.fixture(scope="module")
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on localhost: ``(inbox, port)``."""
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def worker(
    django_db_setup, django_db_blocker, smtp_inbox, tmp_path_factory
) -> Iterator[subprocess.Popen]:
    """A real Celery worker on the configured broker, sending to ``smtp_inbox``."""
    require_services()
    _inbox, port = smtp_inbox
    with celery_worker(smtp_port=port, log_dir=tmp_path_factory.mktemp("celery")) as process:
        yield process
