from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.models import EntryStatus, PauseReason, TimeEntry
from tests.projects.factories import (
    LAST_MONDAY,
    SETUP_AT,
    THIS_MONDAY,
    log,
    log_many,
    many_assignments,
)

pytestmark = pytest.mark.django_db

MY_PROJECTS = reverse("projects:my_projects")
TIMESHEET = reverse("projects:timesheet")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def _grid(assignment, day: date, value: str, *, kind="task", note="") -> dict:
    key = f"{assignment.pk}-{kind}-{day.isoformat()}"
    return {f"m-{key}": value, f"n-{key}": note}


def _queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (content types) first
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
    return len(queries)


# --- My projects -------------------------------------------------------------------


def test_my_projects_shows_status_rate_week_hours_manager_and_guidelines(
    alice_client, alice_on_project, alice
):
    log(alice, alice_on_project, THIS_MONDAY, 150)
    body = alice_client.get(MY_PROJECTS).content.decode()
    assert "Search relevance" in body
    assert "€25.00 an hour" in body
    assert "2:30 logged of a 20:00 weekly cap" in body
    assert "manager@example.com" in body
    assert "Read the rubric before every session." in body


def test_a_paused_project_shows_its_reason_and_expected_resume_date(
    clock, alice_client, alice_on_project, manager
):
    services.project_pause(
        project=alice_on_project.project,
        by=manager,
        reason=PauseReason.GUIDELINES,
        message="The rubric is being rewritten.",
        expected_resume_on=date(2026, 11, 30),
        short_notice_confirmed=True,
    )
    body = alice_client.get(MY_PROJECTS).content.decode()
    assert "Paused since Nov 12, 2026" in body
    assert "Guideline update" in body
    assert "The rubric is being rewritten." in body
    assert "Monday, November 30, 2026" in body


def test_a_removed_contractor_sees_the_reason(alice_client, alice_on_project, manager):
    services.assignment_remove(
        assignment=alice_on_project, by=manager, reason="Quality dipped.", ground="staffing"
    )
    body = alice_client.get(MY_PROJECTS).content.decode()
    assert "You were removed from this project" in body
    assert "Quality dipped." in body


def test_someone_without_a_profile_gets_404(client, manager):
    client.force_login(manager)
    assert client.get(MY_PROJECTS).status_code == 404
    assert client.get(TIMESHEET).status_code == 404


def test_pages_need_a_login(client):
    response = client.get(MY_PROJECTS)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_my_projects_queries_do_not_grow_with_assignments(clock, alice_client, alice, manager):
    with clock.back_at(SETUP_AT):
        many_assignments(alice, 1, by=manager)
    one = _queries(alice_client, MY_PROJECTS)
    with clock.back_at(SETUP_AT):
        many_assignments(alice, 49, by=manager)
    assert _queries(alice_client, MY_PROJECTS) == one
    assert one <= 12


# --- Assignment page ---------------------------------------------------------------


def test_assignment_page_shows_the_rate_history(alice_client, alice_on_project, manager):
    services.assignment_rate_set(
        assignment=alice_on_project,
        by=manager,
        rate_minor=3000,
        currency="EUR",
        effective_on=date(2026, 11, 4),
    )
    url = reverse("projects:assignment_detail", args=[alice_on_project.pk])
    body = alice_client.get(url).content.decode()
    assert body.index("€30.00") < body.index("€25.00")
    assert "Wed, Nov 4, 2026" in body


def test_assignment_page_queries_do_not_grow_with_the_rate_history(
    alice_client, alice_on_project, manager
):
    url = reverse("projects:assignment_detail", args=[alice_on_project.pk])
    one = _queries(alice_client, url)
    for day in range(4, 9):
        services.assignment_rate_set(
            assignment=alice_on_project,
            by=manager,
            rate_minor=2500 + day * 100,
            currency="EUR",
            effective_on=date(2026, 11, day),
        )
    assert _queries(alice_client, url) == one
    assert one <= 12


def test_another_contractors_assignment_is_404(alice_client, bob_on_project):
    url = reverse("projects:assignment_detail", args=[bob_on_project.pk])
    assert alice_client.get(url).status_code == 404


# --- Timesheet ---------------------------------------------------------------------


def test_timesheet_shows_a_row_per_assignment_and_the_week(
    alice_client, alice_on_project, alice_on_other
):
    response = alice_client.get(TIMESHEET, {"week": "2026-11-04"})
    sheet = response.context["sheet"]
    assert sheet.week == LAST_MONDAY
    assert [(row.assignment, row.kind) for row in sheet.rows] == [
        (alice_on_other, "task"),
        (alice_on_project, "task"),
    ]
    body = response.content.decode()
    assert f'name="m-{alice_on_project.pk}-task-2026-11-02"' in body
    assert "Germany (Berlin)" in body


def test_future_days_have_no_input(alice_client, alice_on_project):
    body = alice_client.get(TIMESHEET).content.decode()
    assert f'name="m-{alice_on_project.pk}-task-2026-11-12"' in body
    assert f'name="m-{alice_on_project.pk}-task-2026-11-13"' not in body
    assert "Fri, Nov 13 hasn&#x27;t happened yet" in body


def test_saving_a_draft_reads_every_duration_format(alice_client, alice_on_project):
    data = {"week": "2026-11-02", "action": "save"}
    data |= _grid(alice_on_project, date(2026, 11, 2), "1:30", note="rubric v2")
    data |= _grid(alice_on_project, date(2026, 11, 3), "1.5")
    data |= _grid(alice_on_project, date(2026, 11, 4), "90m")
    response = alice_client.post(TIMESHEET, data)
    assert response.status_code == 302
    assert response.url == f"{TIMESHEET}?week=2026-11-02"
    assert list(TimeEntry.objects.order_by("work_on").values_list("minutes", "note")) == [
        (90, "rubric v2"),
        (90, ""),
        (90, ""),
    ]


def test_an_unreadable_cell_is_reported_next_to_it_and_nothing_is_saved(
    alice_client, alice_on_project
):
    data = {"week": "2026-11-02", "action": "save"}
    data |= _grid(alice_on_project, date(2026, 11, 2), "2")
    data |= _grid(alice_on_project, date(2026, 11, 3), "two hours")
    response = alice_client.post(TIMESHEET, data)
    assert response.status_code == 200
    body = response.content.decode()
    key = f"{alice_on_project.pk}-task-2026-11-03"
    assert f'id="e-{key}"' in body
    assert "“two hours” is not a duration." in body
    assert 'value="two hours"' in body  # what was typed stays in the cell
    assert not TimeEntry.objects.exists()


def test_a_rule_broken_by_the_grid_is_shown_once_and_marks_each_cell(
    alice_client, alice_on_project
):
    data = {"week": "2026-11-02", "action": "save"}
    for offset in range(5):
        data |= _grid(alice_on_project, date(2026, 11, 2 + offset), "4:30")
    response = alice_client.post(TIMESHEET, data)
    [shared] = response.context["errors"].shared
    assert "over the weekly cap of 20:00" in shared.message
    lines = response.context["lines"]
    assert [ids for line in lines for _cell, ids in line.cells][:5] == ["x-1"] * 5
    assert "Nothing was saved" in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_submit_saves_the_grid_and_submits_the_week(alice_client, alice_on_project):
    data = {"week": "2026-11-02", "action": "submit"}
    data |= _grid(alice_on_project, date(2026, 11, 2), "3")
    response = alice_client.post(TIMESHEET, data, follow=True)
    assert "Submitted 3:00 in 1 entry for review." in response.content.decode()
    assert TimeEntry.objects.get().status == EntryStatus.SUBMITTED
    body = alice_client.get(TIMESHEET, {"week": "2026-11-02"}).content.decode()
    assert f'name="m-{alice_on_project.pk}-task-2026-11-02"' not in body  # read-only now
    assert "Submitted" in body


def test_submit_from_the_grid_takes_a_fixed_number_of_queries(
    alice_client, alice_on_project, django_assert_max_num_queries
):
    data = {"week": "2026-11-02", "action": "submit"}
    for offset in range(3):
        data |= _grid(alice_on_project, date(2026, 11, 2 + offset), "2")
    alice_client.get(TIMESHEET)  # warm the per-process caches (content types) first
    with django_assert_max_num_queries(16):
        response = alice_client.post(TIMESHEET, data)
    assert response.status_code == 302
    assert TimeEntry.objects.filter(status=EntryStatus.SUBMITTED).count() == 3


def test_a_grid_shown_again_keeps_each_cells_text_and_note(alice_client, alice_on_project):
    data = {"week": "2026-11-02", "action": "save"}
    data |= _grid(alice_on_project, date(2026, 11, 2), "2", note="Calibration round")
    data |= _grid(alice_on_project, date(2026, 11, 3), "two hours", note="Rubric v2")
    response = alice_client.post(TIMESHEET, data)
    cells = {c.key: c for row in response.context["sheet"].rows for c in row.cells}
    monday = cells[f"{alice_on_project.pk}-task-2026-11-02"]
    tuesday = cells[f"{alice_on_project.pk}-task-2026-11-03"]
    assert (monday.value, monday.note, monday.errors) == ("2", "Calibration round", [])
    assert (tuesday.value, tuesday.note) == ("two hours", "Rubric v2")
    assert tuesday.errors == ["“two hours” is not a duration. Write hours as 1:30, 1.5 or 90m."]


def test_submitting_an_empty_week_says_so(alice_client, alice_on_project):
    response = alice_client.post(TIMESHEET, {"week": "2026-11-02", "action": "submit"})
    assert "There is nothing to submit for this week." in response.content.decode()


def test_rejected_entries_show_the_reason_and_are_editable(
    alice_client, alice_on_project, alice, manager
):
    log(alice, alice_on_project, LAST_MONDAY, 60)
    [entry] = services.time_week_submit(by=alice, week=LAST_MONDAY)
    services.time_entries_reject(entry_ids=[entry.pk], by=manager, reason="Wrong day.")
    body = alice_client.get(TIMESHEET, {"week": "2026-11-02"}).content.decode()
    assert "“Wrong day.”" in body
    assert f'name="m-{alice_on_project.pk}-task-2026-11-02"' in body


def test_add_row_keeps_what_was_typed_and_saves_nothing(alice_client, alice_on_project):
    data = {
        "week": "2026-11-02",
        "action": "add_row",
        "new_assignment": str(alice_on_project.pk),
        "new_kind": "training",
    }
    data |= _grid(alice_on_project, date(2026, 11, 2), "2:15")
    response = alice_client.post(TIMESHEET, data)
    kinds = [row.kind for row in response.context["sheet"].rows]
    assert kinds == ["task", "training"]
    assert 'value="2:15"' in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_cells_for_another_contractors_assignment_are_refused(
    alice_client, alice_on_project, bob_on_project
):
    data = {"week": "2026-11-02", "action": "save"}
    data |= _grid(bob_on_project, date(2026, 11, 2), "1")
    response = alice_client.post(TIMESHEET, data)
    assert "No such assignment." in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_paused_days_have_no_input_and_say_why(clock, alice_client, alice_on_project, manager):
    with clock.back_at(datetime(2026, 11, 4, 14, tzinfo=UTC)):
        services.project_pause(
            project=alice_on_project.project,
            by=manager,
            reason="no_work",
            message="Empty.",
            short_notice_confirmed=True,
        )
    body = alice_client.get(TIMESHEET, {"week": "2026-11-02"}).content.decode()
    assert f'name="m-{alice_on_project.pk}-task-2026-11-04"' in body
    assert f'name="m-{alice_on_project.pk}-task-2026-11-05"' not in body
    assert "was paused on Wed, Nov 4" in body


def test_closed_pay_period_days_are_read_only(alice_client, alice_on_project, alice, monkeypatch):
    log(alice, alice_on_project, LAST_MONDAY, 60)
    monkeypatch.setattr(
        "projects.selectors.timesheet.closed_pay_period_dates",
        lambda dates: {day for day in dates if day <= date(2026, 11, 3)},
    )
    body = alice_client.get(TIMESHEET, {"week": "2026-11-02"}).content.decode()
    assert f'name="m-{alice_on_project.pk}-task-2026-11-02"' not in body
    assert f'name="m-{alice_on_project.pk}-task-2026-11-04"' in body
    assert "The pay period with Mon, Nov 2 is closed." in body


def test_timesheet_queries_do_not_grow_with_entries_or_assignments(
    clock, alice_client, alice, manager
):
    with clock.back_at(SETUP_AT):
        [first] = many_assignments(alice, 1, by=manager)
    log_many(alice, first, 1)
    url = f"{TIMESHEET}?week=2026-11-02"
    one = _queries(alice_client, url)
    with clock.back_at(SETUP_AT):
        others = many_assignments(alice, 49, by=manager)
    log_many(alice, first, 35)
    for assignment in others[:15]:
        log(alice, assignment, LAST_MONDAY, 10)
    assert TimeEntry.objects.filter(work_on__gte=LAST_MONDAY).count() == 50
    assert _queries(alice_client, url) == one
    assert one <= 12


# --- Dashboard ---------------------------------------------------------------------


def test_dashboard_shows_projects_hours_and_what_awaits(
    alice_client, alice_on_project, alice, manager
):
    log(alice, alice_on_project, LAST_MONDAY, 60)
    log(alice, alice_on_project, date(2026, 11, 3), 60)
    entries = services.time_week_submit(by=alice, week=LAST_MONDAY)
    monday = next(entry for entry in entries if entry.work_on == LAST_MONDAY)
    services.time_entries_reject(entry_ids=[monday.pk], by=manager, reason="Split it up.")
    log(alice, alice_on_project, THIS_MONDAY, 45)
    body = alice_client.get(reverse("home")).content.decode()
    assert "Your projects this week" in body
    assert "0:45 of 20:00" in body
    assert "1 draft entry to submit" in body
    assert "Fix Mon, Nov 2 on Search relevance" in body
    assert "Split it up." in body


def test_dashboard_queries_do_not_grow_with_assignments(clock, alice_client, alice, manager):
    with clock.back_at(SETUP_AT):
        [first] = many_assignments(alice, 1, by=manager)
    log(alice, first, LAST_MONDAY, 30)
    one = _queries(alice_client, reverse("home"))
    with clock.back_at(SETUP_AT):
        others = many_assignments(alice, 49, by=manager)
    for assignment in others:
        log(alice, assignment, LAST_MONDAY, 10)
    assert _queries(alice_client, reverse("home")) == one
    assert one <= 12


def test_dashboard_reads_the_contractor_once_in_a_fixed_number_of_queries(
    alice_client, alice_on_project, alice, django_assert_max_num_queries
):
    log(alice, alice_on_project, LAST_MONDAY, 60)
    alice_client.get(reverse("home"))  # warm the per-process caches (content types) first
    # 19 queries when the view, the work section and the earnings section each
    # fetched the profile (three times, and its languages and expertise once); 15
    # while the tax form, the payout details and an unshown application had their own.
    with django_assert_max_num_queries(12) as queries:
        assert alice_client.get(reverse("home")).status_code == 200
    profile_reads = [
        q for q in queries.captured_queries if 'FROM "accounts_contractorprofile"' in q["sql"]
    ]
    assert len(profile_reads) == 1  # the view's; the sections and the navigation reuse it


def test_dashboard_without_assignments_says_what_happens_next(alice_client, alice):
    body = alice_client.get(reverse("home")).content.decode()
    assert "Your projects this week" not in body
    assert "You are not on a project yet" in body
