"""The projects fixtures (a frozen clock, projects, assignments) and payments' own."""

import pytest

from tests.payments import factories
from tests.projects import conftest as projects_conftest
from tests.projects.factories import LAST_MONDAY

# The projects tests' fixtures, for this folder too: a frozen clock, projects, assignments.
clock = projects_conftest.clock
project = projects_conftest.project
other_project = projects_conftest.other_project
alice_on_project = projects_conftest.alice_on_project
alice_on_other = projects_conftest.alice_on_other
bob_on_project = projects_conftest.bob_on_project


@pytest.fixture
def last_week(clock, manager):
    """The pay period of LAST_MONDAY's week, still open."""
    return factories.period(LAST_MONDAY)


@pytest.fixture
def alice_paid_week(clock, manager, alice_on_project):
    """Alice's approved last week (five days of 2:00 at 25.00 EUR), its period closed and
    generated: one draft payout of 250.00 EUR."""
    factories.approved_week(alice_on_project, manager=manager, minutes=[120] * 5)
    period = factories.closed_period(LAST_MONDAY, by=manager)
    factories.generate(period, by=manager)
    return alice_on_project.contractor.payouts.get()
