"""Personas shared by the whole suite (alice and bob are contractors)."""

import pytest
from django.core import mail

from tests import factories


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
