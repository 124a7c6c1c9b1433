"""The public record of answer times: counts and medians per month and category, from the
database."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.support import selectors, services
from portal.support.models import Category
from tests.portal.support_helpers import Clock, ask, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def answered_after(clock, asker, manager, *, day: int, minutes: int, category=Category.PAY):
    """A question asked at 9:00 on a working day of October 2026, answered ``minutes`` later."""
    clock.now = at(2026, 10, day, 9, 0)
    conversation = ask(asker, category=category)
    clock.now = at(2026, 10, day, 9, 0) + timedelta(minutes=minutes)
    services.conversation_answer(conversation=conversation, by=manager, body="Done.")
    return conversation


def record_by_category(clock):
    clock.now = at(2026, 11, 2, 10, 0)
    return {row.category: row for row in selectors.answer_record()}


def test_the_median_of_an_odd_count_is_the_middle_answer(alice, manager, clock):
    for day, minutes in ((5, 300), (6, 20), (7, 90), (8, 60), (9, 400)):
        answered_after(clock, alice, manager, day=day, minutes=minutes)

    row = record_by_category(clock)[Category.PAY]
    assert (row.asked, row.answered) == (5, 5)
    assert row.median_minutes == 90


def test_the_median_of_an_even_count_is_the_mean_of_the_two_middle_answers(alice, manager, clock):
    for day, minutes in ((5, 10), (6, 61), (7, 30), (8, 420)):
        answered_after(clock, alice, manager, day=day, minutes=minutes, category=Category.HOURS)
    # Another category in the same month keeps its own median.
    answered_after(clock, alice, manager, day=9, minutes=5, category=Category.OTHER)
    answered_after(clock, alice, manager, day=12, minutes=7, category=Category.OTHER)

    record = record_by_category(clock)
    assert record[Category.HOURS].median_minutes == 45  # (30 + 61) // 2
    assert record[Category.OTHER].median_minutes == 6
    assert record[Category.OTHER].asked == 2


def test_equal_times_and_an_overdue_unanswered_question(alice, manager, clock):
    for day in (5, 6):
        answered_after(clock, alice, manager, day=day, minutes=120)
    clock.now = at(2026, 10, 7, 9, 0)
    ask(alice)  # never answered: a miss, but no time for the median

    row = record_by_category(clock)[Category.PAY]
    assert (row.asked, row.answered, row.within_target) == (3, 2, 2)
    assert row.median_minutes == 120


def test_the_record_costs_the_same_queries_for_any_number_of_questions(
    alice, manager, clock, django_assert_num_queries
):
    answered_after(clock, alice, manager, day=5, minutes=10)
    clock.now = at(2026, 11, 2, 10, 0)
    with django_assert_num_queries(2):
        selectors.answer_record()
    for day in range(6, 20):
        answered_after(clock, alice, manager, day=day, minutes=day)
    clock.now = at(2026, 11, 2, 10, 0)
    with django_assert_num_queries(2):
        selectors.answer_record()


def test_the_promises_read_as_business_days_and_hours(client, settings):
    settings.SUPPORT_TARGETS = {**settings.SUPPORT_TARGETS, "hours": 0.5}
    page = client.get(reverse("transparency")).content.decode()

    assert "Pay and payouts: 1 business day" in page
    assert "A project or a pause: 2 business days" in page
    assert "Hours and review: 4 business hours" in page
    assert "8:00" not in page


def test_an_answer_in_the_same_minute_reads_within_a_minute(client, alice, manager):
    conversation = ask(alice)
    services.conversation_answer(conversation=conversation, by=manager, body="Done.")
    client.force_login(alice)

    page = client.get(reverse("support:conversation", args=[conversation.pk])).content.decode()

    assert "The last answer came within a minute." in page
    assert "0:00 business hours" not in page


def test_a_median_under_a_minute_reads_under_a_minute_on_the_record(client, alice, manager, clock):
    answered_after(clock, alice, manager, day=5, minutes=0)
    clock.now = at(2026, 11, 2, 10, 0)

    page = client.get(reverse("transparency")).content.decode()

    assert "under a minute" in page
    assert ">0:00<" not in page
