from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.projects import factories as project_factories

_real_now = timezone.now


class Clock:
    """The time the code under test sees; ``None`` means the real time."""

    def __init__(self, at: datetime | None) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at or _real_now()

    def set(self, at: datetime | None) -> None:
        self.at = at

    @contextmanager
    def back_at(self, at: datetime) -> Iterator[None]:
        """Run a block at an earlier time (to set up history), then come back."""
        saved, self.at = self.at, at
        try:
            yield
        finally:
            self.at = saved


@pytest.fixture
def clock(monkeypatch):
    """Frozen at NOW (a Thursday); projects and assignments are set up back at SETUP_AT."""
    clock = Clock(project_factories.NOW)
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def project(clock, manager):
    with clock.back_at(project_factories.SETUP_AT):
        return project_factories.project_create(manager)


@pytest.fixture
def other_project(clock, manager):
    with clock.back_at(project_factories.SETUP_AT):
        return project_factories.project_create(
            manager,
            name="Chat safety review",
            default_rate_minor=3000,
            weekly_cap_minutes=30 * 60,
        )


@pytest.fixture
def alice_on_project(clock, project, alice, manager):
    with clock.back_at(project_factories.SETUP_AT):
        return project_factories.assign(project, alice, by=manager)


@pytest.fixture
def alice_on_other(clock, other_project, alice, manager):
    with clock.back_at(project_factories.SETUP_AT):
        return project_factories.assign(other_project, alice, by=manager)


@pytest.fixture
def bob_on_project(clock, project, bob, manager):
    with clock.back_at(project_factories.SETUP_AT):
        return project_factories.assign(project, bob, by=manager)


@pytest.fixture
def contractor_in(manager):
    """Make an active contractor living in a given time zone."""

    def make(email: str, time_zone: str):
        return factories.contractor_create(email, by=manager, time_zone=time_zone)

    return make
