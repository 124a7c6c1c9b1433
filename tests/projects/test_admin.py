import re
from datetime import UTC, date, datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ContractorStatus, ExpertiseArea
from projects import services
from projects.models import (
    Assignment,
    EntryStatus,
    Project,
    ProjectStatus,
    TimeEntry,
)
from tests import factories
from tests.projects.factories import (
    LAST_MONDAY,
    NOW,
    SETUP_AT,
    assign,
    log,
    log_many,
    project_create,
)

pytestmark = pytest.mark.django_db

PROJECTS = reverse("admin:projects_project_changelist")
ASSIGNMENTS = reverse("admin:projects_assignment_changelist")
ENTRIES = reverse("admin:projects_timeentry_changelist")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def _action(client, url, action, objects, **data):
    payload = {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], **data}
    return client.post(url, payload, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Projects ----------------------------------------------------------------------


def test_manager_creates_a_project_as_a_draft_with_rate_in_major_units(
    clock, manager_client, manager
):
    response = manager_client.post(
        reverse("admin:projects_project_add"),
        {
            "name": "Legal translation review",
            "description": "Check German legal translations.",
            "guidelines": "",
            "guidelines_url": "https://example.com/guide",
            "languages": ["de", "en"],
            "default_rate": "32.50",
            "currency": "EUR",
            "expected_hours_per_week": "10",
            "weekly_cap": "12:30",
            "start_on": "2026-10-01",
            "end_on": "",
            "manager": manager.pk,
            **_empty_inlines(),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get()
    assert (project.status, project.default_rate_minor, project.weekly_cap_minutes) == (
        ProjectStatus.DRAFT,
        3250,
        750,
    )
    assert project.languages == ["de", "en"]
    assert project.status_changes.get().by == manager


def test_a_rate_with_too_many_decimals_is_an_error_next_to_the_field(
    clock, manager_client, manager
):
    response = manager_client.post(
        reverse("admin:projects_project_add"),
        {
            "name": "X",
            "description": "Y",
            "default_rate": "32.505",
            "currency": "EUR",
            "expected_hours_per_week": "10",
            "weekly_cap": "10",
            "start_on": "2026-10-01",
            "manager": manager.pk,
            **_empty_inlines(),
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["default_rate"] == [
        "EUR amounts take at most 2 decimals."
    ]
    assert not Project.objects.exists()


def _empty_inlines() -> dict:
    data = {}
    for prefix in ("assignments", "invitations", "scheduled_pauses", "status_changes"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def test_pause_action_asks_for_a_reason_then_pauses(clock, manager_client, project):
    clock.set(NOW)
    page = _action(manager_client, PROJECTS, "pause", [project])
    assert page.templates[0].name == "admin/action_form.html"
    invalid = _action(manager_client, PROJECTS, "pause", [project], apply="1", reason="quality")
    assert "message" in invalid.context["form"].errors
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE

    done = _action(
        manager_client,
        PROJECTS,
        "pause",
        [project],
        apply="1",
        reason="quality",
        message="Quality review of last week's batch.",
        expected_resume_on="2026-11-20",
        takes_effect="now",
        short_notice_confirmed="on",
    )
    assert _messages(done) == ["«Search relevance» is paused; 0 contractors told."]
    project.refresh_from_db()
    assert project.status == ProjectStatus.PAUSED
    assert project.expected_resume_on == date(2026, 11, 20)
    resumed = _action(manager_client, PROJECTS, "resume", [project], apply="1", message="")
    assert _messages(resumed) == ["«Search relevance» is active again; 0 contractors told."]


def test_an_illegal_transition_is_reported_not_applied(clock, manager_client, project):
    response = _action(manager_client, PROJECTS, "activate", [project])
    assert _messages(response) == [
        "Search relevance: «Search relevance» is not a draft; resume it instead."
    ]


def test_project_page_shows_assignments_and_history_read_only(
    clock, manager_client, alice_on_project, project
):
    response = manager_client.get(reverse("admin:projects_project_change", args=[project.pk]))
    body = response.content.decode()
    assert "Alice Example &lt;alice@example.com&gt;" in body
    assert "status history" in body.lower()
    assert "€25.00" in body


def test_closed_project_is_read_only(clock, manager_client, project, manager):
    services.project_close(
        project=project, by=manager, message="Done.", short_notice_confirmed=True
    )
    response = manager_client.get(reverse("admin:projects_project_change", args=[project.pk]))
    assert response.context["has_change_permission"] is False


def test_assign_action_lists_only_matching_active_contractors(
    clock, manager_client, project, alice, bob, applicant, manager
):
    french = factories.contractor_create(
        "marie@example.com", by=manager, legal_name="Marie F", languages=[("fr", "native")]
    )
    assign(project, bob, by=manager)
    page = _action(manager_client, PROJECTS, "assign_contractors", [project])
    offered = set(page.context["form"].fields["contractors"].queryset)
    assert offered == {alice.contractor_profile}
    assert french.contractor_profile.status == ContractorStatus.ACTIVE

    done = _action(
        manager_client,
        PROJECTS,
        "assign_contractors",
        [project],
        apply="1",
        contractors=[alice.contractor_profile.pk],
        start_on="2026-10-05",
        rate="27.50",
        currency="EUR",
        weekly_cap="10",
    )
    assert _messages(done) == ["Assigned Alice Example to «Search relevance»."]
    assignment = Assignment.objects.get(contractor__user=alice)
    assert (assignment.start_on, assignment.weekly_cap_minutes) == (date(2026, 10, 5), 600)
    assert assignment.rates.get().rate_minor == 2750


# --- Assignments -------------------------------------------------------------------


def test_set_rate_action_adds_to_the_history(clock, manager_client, alice_on_project):
    clock.set(NOW)
    done = _action(
        manager_client,
        ASSIGNMENTS,
        "set_rate",
        [alice_on_project],
        apply="1",
        rate="30",
        currency="EUR",
        effective_on="2026-11-04",
    )
    assert _messages(done) == ["Alice Example on Search relevance: €30.00 an hour from Wed, Nov 4."]
    assert [r.rate_minor for r in alice_on_project.rates.all()] == [3000, 2500]


def test_remove_action_needs_a_reason_and_a_ground_not_about_the_person(
    clock, manager_client, alice_on_project
):
    page = _action(manager_client, ASSIGNMENTS, "remove", [alice_on_project], apply="1", reason="")
    assert "reason" in page.context["form"].errors
    assert "ground" in page.context["form"].errors
    done = _action(
        manager_client,
        ASSIGNMENTS,
        "remove",
        [alice_on_project],
        apply="1",
        reason="Left.",
        ground="budget",
    )
    assert _messages(done) == ["Removed Alice Example on Search relevance."]


def test_assignment_page_is_view_only(clock, manager_client, alice_on_project):
    url = reverse("admin:projects_assignment_change", args=[alice_on_project.pk])
    response = manager_client.get(url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False


# --- Time entries ------------------------------------------------------------------


@pytest.fixture
def submitted(clock, alice_on_project, alice_on_other, alice):
    clock.set(NOW)
    log(alice, alice_on_project, LAST_MONDAY, 90)
    log(alice, alice_on_other, LAST_MONDAY, 30, kind="meeting")
    return services.time_week_submit(by=alice, week=LAST_MONDAY)


def test_time_entries_filter_and_total(manager_client, submitted, alice_on_project):
    response = manager_client.get(
        ENTRIES,
        {"week": LAST_MONDAY.isoformat(), "status__exact": "submitted", "kind__exact": "task"},
    )
    assert list(response.context["cl"].result_list) == [e for e in submitted if e.kind == "task"]
    [total] = response.context["totals"]
    assert (total.currency, total.count, total.minutes, total.amount_minor) == ("EUR", 1, 90, 3750)
    assert "€37.50" in response.content.decode()
    by_project = manager_client.get(
        ENTRIES, {"assignment__project__id__exact": alice_on_project.project_id}
    )
    assert by_project.context["cl"].result_count == 1


def test_time_entries_contractor_filter_is_typed_not_listed(
    manager_client, submitted, alice, bob_on_project
):
    log(bob_on_project.contractor.user, bob_on_project, LAST_MONDAY, 60)
    body = manager_client.get(ENTRIES).content.decode()
    # Thousands of contractors would each have been a link in the sidebar.
    assert "assignment__contractor__id__exact=" not in body
    assert 'class="admin-autocomplete' in body
    chosen = manager_client.get(
        ENTRIES, {"assignment__contractor__id__exact": alice.contractor_profile.pk}
    )
    assert chosen.context["cl"].result_count == 2
    assert "Alice Example" in chosen.content.decode()  # the chosen one, named in the widget
    found = manager_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "projects", "model_name": "assignment", "field_name": "contractor"}
        | {"term": "alice@"},
    ).json()
    assert [row["id"] for row in found["results"]] == [str(alice.contractor_profile.pk)]


def test_time_entries_search_finds_a_contractors_entries_through_their_assignments(
    manager_client, submitted, bob_on_project
):
    log(bob_on_project.contractor.user, bob_on_project, LAST_MONDAY, 60)
    found = manager_client.get(ENTRIES, {"q": "alice@example"})
    assert {entry.pk for entry in found.context["cl"].result_list} == {e.pk for e in submitted}
    by_project = manager_client.get(ENTRIES, {"q": "Search relevance"})
    assert by_project.context["cl"].result_count == 2  # alice's task and bob's
    # The whole table unfiltered: no totals of every entry there is.
    assert "totals" not in manager_client.get(ENTRIES).context
    assert "totals" in found.context


def test_long_admin_lists_skip_the_second_full_count(manager_client, submitted):
    for url in (ENTRIES, ASSIGNMENTS, reverse("admin:accounts_contractorprofile_changelist")):
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(url, {"q": "alice"})
        assert response.context["cl"].show_full_result_count is False
        counts = [
            q
            for q in queries.captured_queries
            if q["sql"].startswith('SELECT COUNT(*) AS "__count"')
        ]
        assert len(counts) <= 1, url  # the filtered count; never the whole table's as well


def test_approve_action_approves_and_emails(
    manager_client, submitted, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(manager_client, ENTRIES, "approve", submitted)
    assert _messages(response) == ["Approved 2 entries."]
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {EntryStatus.APPROVED}
    assert len(outbox) == 1


def test_reject_action_asks_for_one_reason(manager_client, submitted):
    page = _action(manager_client, ENTRIES, "reject", submitted)
    assert "Mon, Nov 2 · Alice Example · Search relevance · Task · 1:30" in page.content.decode()
    done = _action(
        manager_client, ENTRIES, "reject", submitted, apply="1", reason="Split by task please."
    )
    assert _messages(done) == ["Rejected 2 entries."]
    assert set(TimeEntry.objects.values_list("rejection_reason", flat=True)) == {
        "Split by task please."
    }


def test_reviewing_a_draft_is_refused_with_a_message(
    manager_client, submitted, alice, alice_on_project
):
    [draft] = log(alice, alice_on_project, date(2026, 11, 3), 60)
    response = _action(manager_client, ENTRIES, "approve", [*submitted, draft])
    assert "the selection includes 1 draft" in _messages(response)[0]
    assert not TimeEntry.objects.filter(status=EntryStatus.APPROVED).exists()


def test_accountant_views_entries_but_cannot_review_or_see_projects(client, accountant, submitted):
    client.force_login(accountant)
    response = client.get(ENTRIES)
    assert response.status_code == 200
    assert response.context["action_form"] is None  # no actions offered at all
    refused = _action(client, ENTRIES, "approve", submitted)
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {EntryStatus.SUBMITTED}
    assert refused.status_code == 200
    assert client.get(PROJECTS).status_code == 403
    assert client.get(ASSIGNMENTS).status_code == 200


def _count_queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (content types) first
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_time_entry_list_queries_do_not_grow_with_rows(
    clock, manager_client, alice_on_project, alice
):
    clock.set(NOW)
    log_many(alice, alice_on_project, 1)
    one = _count_queries(manager_client, ENTRIES)
    log_many(alice, alice_on_project, 50)
    assert TimeEntry.objects.count() == 50
    assert _count_queries(manager_client, ENTRIES) == one


def test_project_list_and_page_queries_do_not_grow_with_assignments(
    clock, manager_client, manager, project, alice, bob
):
    assign(project, alice, by=manager)
    url = reverse("admin:projects_project_change", args=[project.pk])
    one_list, one_page = (
        _count_queries(manager_client, PROJECTS),
        _count_queries(manager_client, url),
    )
    for index in range(49):
        contractor = factories.contractor_create(f"c{index}@example.com", by=manager)
        assign(project, contractor, by=manager)
    assert _count_queries(manager_client, PROJECTS) == one_list
    assert _count_queries(manager_client, url) == one_page


def test_time_entry_list_queries_do_not_grow_with_contractors(
    clock, manager_client, manager, project, alice
):
    clock.set(SETUP_AT)
    people = [alice] + [
        factories.contractor_create(f"c{i}@example.com", by=manager) for i in range(5)
    ]
    assignments = [assign(project, person, by=manager) for person in people]
    clock.set(NOW)
    log_many(people[0], assignments[0], 1)
    one = _count_queries(manager_client, ENTRIES)
    for person, assignment in zip(people[1:], assignments[1:], strict=True):
        log_many(person, assignment, 1)
    assert _count_queries(manager_client, ENTRIES) == one


# --- The project list's scheduled pauses, and an empty assign list explained -----------


def test_project_list_shows_the_upcoming_scheduled_pause_and_filters_by_it(
    clock, manager_client, manager, project, other_project
):
    clock.set(NOW)
    services.project_pause_schedule(
        project=project,
        by=manager,
        reason="budget",
        message="Budget runs out.",
        effective_at=datetime(2026, 11, 14, 9, 0, tzinfo=UTC),
        short_notice_confirmed=True,
    )

    page = manager_client.get(PROJECTS)
    body = page.content.decode()
    assert "upcoming pause" in body.lower()
    assert "Nov 14, 2026, 9:00\u202fAM (Budget)" in body
    scheduled = manager_client.get(PROJECTS, {"pause_scheduled": "yes"})
    assert list(scheduled.context["cl"].result_list) == [project]
    unscheduled = manager_client.get(PROJECTS, {"pause_scheduled": "no"})
    assert list(unscheduled.context["cl"].result_list) == [other_project]


def test_project_list_with_scheduled_pauses_queries_do_not_grow(clock, manager_client, manager):
    clock.set(NOW)

    def schedule(count: int) -> None:
        for index in range(count):
            project = project_create(manager, name=f"Scheduled {Project.objects.count()}-{index}")
            services.project_pause_schedule(
                project=project,
                by=manager,
                reason="quality",
                message="Review.",
                effective_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
                short_notice_confirmed=True,
            )

    schedule(1)
    one = _count_queries(manager_client, PROJECTS)
    schedule(30)
    assert _count_queries(manager_client, PROJECTS) == one


def test_assign_with_no_active_contractor_says_so(clock, manager_client, project, applicant):
    response = _action(manager_client, PROJECTS, "assign_contractors", [project])
    assert response.templates[0].name != "admin/action_form.html"
    [message] = _messages(response)
    assert "there are no active contractors" in message


def test_assign_when_everyone_is_on_the_project_says_so(
    clock, manager_client, project, alice_on_project
):
    [message] = _messages(_action(manager_client, PROJECTS, "assign_contractors", [project]))
    assert message == "Every active contractor is already assigned to «Search relevance»."


def test_assign_when_nobody_speaks_the_languages_names_them(clock, manager_client, manager):
    french = project_create(manager, name="French ads", languages=["fr"])
    factories.contractor_create("karl@example.com", by=manager, languages=[("de", "native")])
    [message] = _messages(_action(manager_client, PROJECTS, "assign_contractors", [french]))
    assert message == (
        "Nobody can be assigned to «French ads»: the 1 active contractor not on it does not "
        "speak every language it requires (French)."
    )


def test_assign_when_nobody_covers_the_expertise_names_it(clock, manager_client, manager, alice):
    area = ExpertiseArea.objects.create(name="Radiology")
    medical = project_create(manager, name="Scans")
    medical.expertise.add(area)
    [message] = _messages(_action(manager_client, PROJECTS, "assign_contractors", [medical]))
    assert message == (
        "Nobody can be assigned to «Scans»: the 1 active contractor who speaks its languages "
        "does not cover every expertise area it requires (Radiology)."
    )


# --- Reviewing a contractor's week at once ---------------------------------------------


def _week_url(user, week=LAST_MONDAY) -> str:
    return reverse(
        "admin:projects_timeentry_week", args=[user.contractor_profile.pk, week.isoformat()]
    )


@pytest.fixture
def week_submitted(clock, alice_on_project, alice_on_other, alice):
    clock.set(NOW)
    log(alice, alice_on_project, LAST_MONDAY, 90, note="Batch 14, queries 1-200")
    log(alice, alice_on_project, date(2026, 11, 3), 120)
    log(alice, alice_on_other, date(2026, 11, 3), 30, kind="meeting")
    return services.time_week_submit(by=alice, week=LAST_MONDAY)


def test_the_week_page_shows_the_grid_with_totals_per_day_and_project_and_the_notes(
    manager_client, week_submitted, alice, alice_on_project
):
    log(alice, alice_on_project, date(2026, 11, 4), 15)  # a draft: counted, not shown
    response = manager_client.get(_week_url(alice))
    assert response.status_code == 200
    review = response.context["review"]
    assert [(row.project_name, row.kind, row.total_minutes) for row in review.rows] == [
        ("Chat safety review", "meeting", 30),
        ("Search relevance", "task", 210),
    ]
    assert review.day_totals == [90, 150, 0, 0, 0, 0, 0]
    assert [(t.project_name, t.minutes, t.amount_minor) for t in review.project_totals] == [
        ("Chat safety review", 30, 1500),
        ("Search relevance", 210, 8750),
    ]
    assert review.drafts == 1
    page = _text(response)
    for text in ("Batch 14, queries 1-200", "4:00", "2:30", "€87.50", "Approve week"):
        assert text in page
    assert "Reject with a reason" in page
    # Single entries are still reviewed from the list, filtered to this week.
    listed = manager_client.get(response.context["entries_url"])
    assert listed.context["cl"].result_count == 4


def test_approve_week_approves_every_submitted_entry_of_the_week_and_tells_once(
    manager_client, week_submitted, alice, outbox, django_capture_on_commit_callbacks
):
    ids = [entry.pk for entry in week_submitted]
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            _week_url(alice), {"approve": "1", "entries": ids}, follow=True
        )
    assert _messages(response) == ["Approved 3 entries."]
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {EntryStatus.APPROVED}
    assert len(outbox) == 1
    assert "Nothing in this week is waiting for review." in _text(response)


def test_approve_week_refuses_when_the_week_changed_since_the_page_was_shown(
    manager_client, week_submitted, alice, manager
):
    first, *rest = week_submitted
    services.time_entries_reject(entry_ids=[first.pk], by=manager, reason="Split it.")
    response = manager_client.post(
        _week_url(alice), {"approve": "1", "entries": [e.pk for e in week_submitted]}, follow=True
    )
    [message] = _messages(response)
    assert "The week changed since the page was opened" in message
    assert not TimeEntry.objects.filter(status=EntryStatus.APPROVED).exists()


def test_reject_week_needs_a_reason_shown_next_to_the_field(manager_client, week_submitted, alice):
    ids = [entry.pk for entry in week_submitted]
    response = manager_client.post(_week_url(alice), {"reject": "1", "entries": ids, "reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["reject_form"].errors
    assert 'id="id_reason_error"' in response.content.decode()
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {EntryStatus.SUBMITTED}


def test_reject_week_sends_back_the_ticked_entries_and_the_rest_can_be_approved(
    manager_client, week_submitted, alice
):
    meeting = next(entry for entry in week_submitted if entry.kind == "meeting")
    response = manager_client.post(
        _week_url(alice),
        {"reject": "1", "entries": [meeting.pk], "reason": "Meetings go on the other project."},
        follow=True,
    )
    assert _messages(response) == ["Rejected 1 entry."]
    meeting.refresh_from_db()
    assert (meeting.status, meeting.rejection_reason) == (
        EntryStatus.REJECTED,
        "Meetings go on the other project.",
    )
    rest = [e.pk for e in week_submitted if e.pk != meeting.pk]
    approved = manager_client.post(_week_url(alice), {"approve": "1", "entries": rest}, follow=True)
    assert _messages(approved) == ["Approved 2 entries."]


def test_the_week_page_is_read_only_for_an_accountant(client, accountant, week_submitted, alice):
    client.force_login(accountant)
    page = client.get(_week_url(alice))
    assert page.status_code == 200
    assert 'name="approve"' not in page.content.decode()
    ids = [entry.pk for entry in week_submitted]
    assert client.post(_week_url(alice), {"approve": "1", "entries": ids}).status_code == 403
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {EntryStatus.SUBMITTED}


def test_the_week_page_of_an_unknown_contractor_or_week_is_a_404(manager_client, week_submitted):
    missing = reverse("admin:projects_timeentry_week", args=[999999, LAST_MONDAY.isoformat()])
    assert manager_client.get(missing).status_code == 404
    bad = reverse("admin:projects_timeentry_week", args=[1, "not-a-week"])
    assert manager_client.get(bad).status_code == 404


def test_the_week_page_queries_do_not_grow_with_entries(
    clock, manager_client, alice, alice_on_project
):
    clock.set(NOW)
    log_many(alice, alice_on_project, 1)
    services.time_week_submit(by=alice, week=LAST_MONDAY)
    one = _count_queries(manager_client, _week_url(alice))
    log_many(alice, alice_on_project, 30)
    services.time_week_submit(by=alice, week=LAST_MONDAY)
    assert _count_queries(manager_client, _week_url(alice)) == one


def test_the_entry_list_shows_weekly_totals_per_contractor_linking_to_the_week(
    manager_client, week_submitted, alice
):
    response = manager_client.get(ENTRIES)
    [(total, url)] = response.context["week_totals"]
    assert (total.contractor_name, total.week, total.minutes, total.submitted) == (
        "Alice Example",
        LAST_MONDAY,
        240,
        3,
    )
    assert url == _week_url(alice)
    page = _text(response)
    assert "Weekly totals per contractor" in page
    assert f'href="{url}"' in page


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())
