import pytest

pytestmark = pytest.mark.django_db


def _projects_perms(user) -> set[str]:
    return {perm for perm in user.get_all_permissions() if perm.startswith("projects.")}


def test_vendor_managers_run_projects_assignments_reviews_and_pay_periods(manager):
    assert _projects_perms(manager) == {
        "projects.view_project",
        "projects.add_project",
        "projects.change_project",
        "projects.change_project_status",
        "projects.view_projectstatuschange",
        "projects.view_scheduledpause",
        "projects.view_assignment",
        "projects.add_assignment",
        "projects.change_assignment",
        "projects.view_assignmentstatuschange",
        "projects.view_assignmentrate",
        "projects.add_assignmentrate",
        "projects.view_timeentry",
        "projects.review_timeentry",
        "projects.view_timeentrystatuschange",
        # Granted by payments 0002; projects 0007 moved them here with their content type.
        "projects.view_payperiod",
        # Pay periods open by themselves as weeks begin; managers only close them.
        "projects.close_payperiod",
        "projects.generate_payouts",
        "projects.view_payperiodstatuschange",
        "projects.view_standbypay",
        # Due process: managers open cases, add evidence and decide; an interim
        # suspension needs its own permission, which no group holds.
        "projects.view_case",
        "projects.add_case",
        "projects.change_case",
        "projects.decide_case",
        "projects.view_caseevent",
        "projects.view_caseevidence",
        "projects.add_caseevidence",
        "projects.view_casebackpay",
        # Wage floors are added, never changed; exceptions below a floor are granted by
        # named people only (grant_floor_exception belongs to no group).
        "projects.view_wagefloor",
        "projects.add_wagefloor",
        "projects.view_floorexception",
        # Invitations change only through the invite action and the contractor's answer.
        "projects.view_projectinvitation",
    }


def test_accountants_only_read_time_assignments_rates_and_pay_periods(accountant):
    assert _projects_perms(accountant) == {
        "projects.view_timeentry",
        "projects.view_assignment",
        "projects.view_assignmentrate",
        "projects.view_payperiod",
        "projects.view_payperiodstatuschange",
        "projects.view_standbypay",
        "projects.view_wagefloor",
    }


def test_contractors_have_no_staff_rights(alice):
    assert _projects_perms(alice) == set()
