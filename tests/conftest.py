"""Personas shared by the whole suite (alice and bob are contractors)."""

import pytest
from django.core import mail
from django.utils import timezone, translation

from portal.celery import app as celery_app
from tests import factories


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every transactional test the database as migrations left it.

    A transactional test ends by flushing every table, which also deletes the
    staff groups a data migration created; after a serialized-rollback test the
    flush even leaves permissions and content types gone. Restoring the
    migrated state (``serialized_rollback``) before each such test keeps them
    independent of the order they run in.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        fixtures = getattr(item, "fixturenames", ())
        transactional = kwargs.get("transaction") or any(
            name in fixtures for name in ("transactional_db", "live_server")
        )
        if transactional and not kwargs.get("serialized_rollback"):
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Run tasks in-process, so delivery has happened by the time a test asserts.

    With a broker configured (``make test-services``) the settings turn eager
    mode off; only tests marked ``services`` go through the real broker.
    """
    if request.node.get_closest_marker("services"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _language_reset():
    """Leave no language or time zone active for the next test.

    A request activates the reader's language for the rest of the thread, so a
    test whose last request spoke Indonesian would otherwise make the next
    test's services and selectors speak it too.
    """
    yield
    translation.deactivate()
    timezone.deactivate()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def manager(db):
    return factories.manager_create()


@pytest.fixture
def accountant(db):
    return factories.accountant_create()


@pytest.fixture
def alice(db, manager):
    """An active contractor."""
    return factories.contractor_create("alice@example.com", by=manager)


@pytest.fixture
def bob(db, manager):
    """A second active contractor, for checking that alice's things stay hers."""
    return factories.contractor_create(
        "bob@example.com", by=manager, legal_name="Bob Example", display_name="Bob"
    )


@pytest.fixture
def applicant(db):
    """A user with a submitted application."""
    user, _application = factories.applicant_create()
    return user


@pytest.fixture
def outbox():
    mail.outbox.clear()
    return mail.outbox
