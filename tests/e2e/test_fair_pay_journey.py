"""Fair pay, in a browser: a manager offers a contractor in Jakarta less than the provincial
minimum wage and is refused, naming the floor; assigns at a rate that clears it; the
contractor reads on a phone what the project pays and, once paid, what she took home:
the payout, the fee, the exchange into rupiah, what arrived, and that per hour beside the floor."""

import os
import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from payments.models import Payout, PayoutStatus
from portal.dates import local_today
from portal.models import ExchangeRate
from portal.money import exchange_rate_add, format_money
from projects.models import Assignment, EntryStatus, TimeEntry, WageFloor
from projects.selectors.floors import floor_for
from projects.services.floors import wage_floor_rows, wage_floors_load
from projects.timesheet import week_start
from tests.factories import PASSWORD, contractor_create, totp_code
from tests.payments import factories
from tests.projects.factories import project_create

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(django_settings.BASE_DIR) / "test-results"
FLOORS_CSV = Path(django_settings.BASE_DIR) / "projects" / "data" / "wage_floors.csv"
PROJECTS = reverse("admin:projects_project_changelist")
REPORT = reverse("admin:payments_payout_payments_report")


def _log_in(page: Page, base: str, user, *, staff: bool = False) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if staff:
        page.get_by_label("Code").fill(totp_code(user.totp_secret))
        page.get_by_role("button", name="Sign In").click()
        expect(page).to_have_url(f"{base}/admin/")


def _open_assign_form(admin: Page, base: str, project) -> None:
    admin.goto(base + PROJECTS)
    admin.locator(f'input[name="_selected_action"][value="{project.pk}"]').check()
    admin.locator('select[name="action"]').select_option("assign_contractors")
    admin.locator('button[name="index"]').click()
    expect(admin.locator("h1")).to_contain_text("Assign contractors to")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"fair_pay_{name}.png"), full_page=True)


def _fits_the_phone(page: Page, name: str) -> None:
    """Screenshot the page; it must not scroll sideways nor have any axe-core violation."""
    _shot(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} scrolls sideways: {width}px wide"
    violations = [
        f"{violation['id']}: " + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in Axe().run(page).response["violations"]
    ]
    assert not violations, f"{name}: {violations}"


@pytest.fixture
def world(monkeypatch, manager):
    """Dewi lives in DKI Jakarta and is paid in rupiah; the project pays in dollars."""
    with FLOORS_CSV.open(encoding="utf-8", newline="") as stream:
        wage_floors_load(by=None, rows=wage_floor_rows(stream))
    dewi = contractor_create(
        "dewi@example.com",
        by=manager,
        legal_name="Dewi Lestari",
        display_name="Dewi",
        country="ID",
        subdivision="ID-JK",
        time_zone="Asia/Jakarta",
        payout_currency="IDR",
        languages=[("id", "native"), ("en", "C1")],
    )
    this_monday = week_start(local_today("Asia/Jakarta"))
    started = this_monday - timedelta(weeks=4)
    exchange_rate_add(
        by=manager,
        rate=ExchangeRate(
            from_currency="USD",
            to_currency="IDR",
            rate=Decimal("16000"),
            on=started - timedelta(days=30),
            source="Bank Indonesia JISDOR",
        ),
    )
    moment = datetime.combine(started, time(9), tzinfo=timezone.get_current_timezone())
    with monkeypatch.context() as past:
        past.setattr(timezone, "now", lambda: moment)
        project = project_create(
            manager,
            name="Search relevance",
            start_on=started,
            default_rate_minor=180,
            currency="USD",
            languages=["en"],
        )
    return {"dewi": dewi, "project": project, "last_monday": this_monday - timedelta(weeks=1)}


def test_below_the_floor_is_refused_and_the_contractor_sees_what_she_took_home(
    live_server, new_page, settings, manager, world
):
    settings.PAYOUT_FEES_POLICY = "deducted"
    base, dewi, project = live_server.url, world["dewi"], world["project"]
    last_monday = world["last_monday"]
    start_on = last_monday - timedelta(weeks=1)
    jakarta = WageFloor.objects.get(country="ID", subdivision="ID-JK")
    in_dollars = floor_for(country="ID", subdivision="ID-JK", on=start_on, currency="USD")
    # Rp5,396,761 a month over 173 hours, at 16,000 to the dollar, rounded up: $1.95.
    assert in_dollars is not None and in_dollars.hourly_minor == 195

    # The manager opens the assign action: the form shows Dewi's floor and that $1.80 is below.
    admin = new_page()
    _log_in(admin, base, manager, staff=True)
    _open_assign_form(admin, base, project)
    choice = admin.locator("label", has_text="Dewi Lestari")
    expect(choice).to_contain_text("floor $1.95 an hour (Statutory minimum wage): BELOW by $0.15")
    choice.check()
    admin.get_by_label("Start date").fill(start_on.isoformat())
    admin.get_by_label("Hourly rate").fill("1.80")
    admin.locator('input[name="apply"]').click()

    # The form comes back with what was typed, the refusal next to it.
    refusal = admin.locator("form .errorlist").first
    expect(refusal).to_contain_text("$1.80 an hour is below the floor of $1.95 an hour")
    expect(refusal).to_contain_text("Statutory minimum wage, Indonesia — DKI Jakarta")
    expect(refusal).to_contain_text(f"source: {jakarta.source_name}")
    expect(refusal).to_contain_text("short by $0.15")
    _shot(admin, "assign_refused")
    assert not Assignment.objects.filter(project=project).exists()

    expect(admin.get_by_label("Hourly rate")).to_have_value("1.80")
    expect(admin.get_by_label(re.compile("Dewi Lestari"))).to_be_checked()

    # A rate that clears the floor is accepted: only the rate is typed again.
    admin.get_by_label("Hourly rate").fill("2.50")
    admin.locator('input[name="apply"]').click()
    expect(admin.locator(".messagelist .success")).to_contain_text(
        "Assigned Dewi Lestari to «Search relevance»."
    )
    assignment = Assignment.objects.get(project=project)
    assert [(rate.rate_minor, rate.currency) for rate in assignment.rates.all()] == [(250, "USD")]

    # Dewi, on her phone, reads what the project pays before she logs an hour.
    phone = new_page(PHONE)
    _log_in(phone, base, dewi)
    phone.goto(base + reverse("projects:project_about", args=[project.pk]))
    pay = phone.locator("section[aria-labelledby='pay-title']")
    expect(pay).to_contain_text("By the hour")
    expect(pay.locator("dt", has_text="Your rate").locator("+ dd")).to_have_text("$2.50 an hour")
    expect(pay).to_contain_text("No rate goes below the wage floor where you live")
    _fits_the_phone(phone, "project_about")

    # Last week's ten hours are sent and the manager approves them.
    factories.submitted_week(assignment, minutes=[120] * 5, monday=last_monday)
    admin.goto(f"{base}/admin/projects/timeentry/?status__exact=submitted")
    admin.locator("#action-toggle").check()
    admin.locator('select[name="action"]').select_option("approve")
    admin.locator('button[name="index"]').click()
    expect(admin.get_by_text("Approved 5 entries.")).to_be_visible()
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {EntryStatus.APPROVED}

    # The week is closed, its payout generated and approved: $25.00.
    factories.generate(factories.closed_period(last_monday, by=manager), by=manager)
    payout = factories.approve_payout(Payout.objects.get(), by=manager)
    assert (payout.net_minor, payout.currency) == (2500, "USD")

    # The provider's report: $1.00 fee, taken from what is sent; $24.00 at 15,900 is Rp381,600.
    report = (
        "payout_id,reference,paid_on,fee,fee_currency,exchange_rate,received_amount,"
        f"received_currency\r\n{payout.pk},WISE-77,{timezone.localdate().isoformat()},1.00,USD,"
        "15900,381600.00,IDR\r\n"
    )
    admin.goto(base + REPORT)
    admin.get_by_label("Payments CSV").set_input_files(
        {"name": "wise.csv", "mimeType": "text/csv", "buffer": report.encode()}
    )
    admin.get_by_role("button", name="Mark paid").click()
    expect(admin.locator(".messagelist .success")).to_contain_text("Marked paid 1")
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    assert (payout.fee_minor, payout.received_minor, payout.received_currency) == (
        100,
        38160000,
        "IDR",
    )

    # Dewi opens her earnings: gross, fee, exchange, received, and per hour beside the floor.
    with translation.override("en"):
        floor_idr = format_money(jakarta.hourly_minor, "IDR")
        received = format_money(38160000, "IDR")
        hourly = format_money(3816000, "IDR")
    phone.goto(base + reverse("payments:earnings"))
    chain = phone.locator(f"#payout-{payout.pk}-take-home")
    expect(chain).to_contain_text("What you took home")
    expect(chain).to_contain_text("$25.00")
    expect(chain).to_contain_text("−$1.00, taken from the payout")
    expect(chain).to_contain_text("1 USD = 15,900 IDR")
    expect(chain).to_contain_text(received)
    expect(chain).to_contain_text(f"{hourly}/h over 10:00 hours")
    expect(chain).to_contain_text(f"Floor in force: {floor_idr}/h")
    expect(chain).not_to_contain_text("Below the floor after costs")
    chain.scroll_into_view_if_needed()
    _fits_the_phone(phone, "earnings")

    phone.goto(base + reverse("payments:payout", args=[payout.pk]))
    expect(phone.locator(f"#payout-{payout.pk}-take-home")).to_contain_text(
        f"Floor in force: {floor_idr}/h"
    )
    _fits_the_phone(phone, "payout")
