"""Payout details are frozen on a payout when it is approved: changing them later never
moves money already approved."""

import csv
import html
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts import services as account_services
from accounts.models import PayoutDetails
from accounts.roles import ACCOUNTANTS
from payments import exports, services
from payments.exports import PayrollFilter
from payments.models import Payout, PayoutStatus
from tests.factories import staff_create
from tests.payments import factories

EARNINGS = reverse("payments:earnings")
PAYROLL_CSV = reverse("payments:payroll_csv")
NEW_IBAN = "NL91 ABNA 0417 1643 00"


def _summary(client) -> dict[str, str]:
    response = client.get(PAYROLL_CSV, {"period": "2026-11-02", "kind": "summary"})
    header, row = csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))
    return dict(zip(header, row, strict=True))


def _change_details(user, *, holder: str = "Alice New") -> None:
    account_services.payout_details_save(
        profile=user.contractor_profile,
        method="bank_transfer",
        account_holder=holder,
        account_identifier=NEW_IBAN,
    )


@pytest.fixture
def approved(alice_paid_week, manager):
    return factories.approve_payout(alice_paid_week, by=manager)


@pytest.mark.django_db
def test_payout_details_frozen_at_approval(clock, client, accountant, manager, alice, approved):
    assert (approved.approved_to_method, approved.approved_to_account) == (
        "bank_transfer",
        "••••3000",
    )
    assert approved.approved_to_holder == "Alice Example"

    _change_details(alice)

    approved.refresh_from_db()
    assert (approved.approved_to_holder, approved.approved_to_account) == (
        "Alice Example",
        "••••3000",
    )
    alice_client = Client()
    alice_client.force_login(alice)
    page = alice_client.get(EARNINGS).content.decode()
    assert "Your bank account ••••3000" in page
    assert "••••4300" not in page
    client.force_login(accountant)
    row = _summary(client)
    assert (row["payout_method"], row["masked_account"]) == ("bank_transfer", "••••3000")

    paid = factories.pay(approved, by=manager)

    assert (paid.paid_to_method, paid.paid_to_account) == ("bank_transfer", "••••3000")
    assert _summary(client)["masked_account"] == "••••3000"


@pytest.mark.django_db
def test_the_admin_shows_the_frozen_details_beside_changed_ones(
    clock, client, manager, alice, approved
):
    client.force_login(manager)
    url = reverse("admin:payments_payout_change", args=[approved.pk])

    unchanged = client.get(url).content.decode()
    assert "Alice Example, account ••••3000" in unchanged
    assert "changed since approval" not in unchanged

    _change_details(alice)
    page = client.get(url).content.decode()

    assert "Alice Example, account ••••3000" in page
    assert "Alice New, account ••••4300" in page
    assert "changed since approval; this payout still goes where it was frozen" in page


@pytest.mark.django_db
def test_a_draft_follows_the_details_and_a_retry_freezes_them_again(
    clock, client, accountant, manager, alice, alice_paid_week
):
    _change_details(alice)
    client.force_login(accountant)
    assert _summary(client)["masked_account"] == "••••4300"

    approved = factories.approve_payout(alice_paid_week, by=manager)
    failed = services.payout_mark_failed(payout=approved, by=manager, reason="Account closed.")
    _change_details(alice, holder="Alice Fixed")
    retried = services.payout_retry(payout=failed, by=manager)

    assert retried.status == PayoutStatus.APPROVED
    assert (retried.approved_to_holder, retried.approved_to_account) == ("Alice Fixed", "••••4300")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (make test-services)"
)
@pytest.mark.django_db
def test_the_postgresql_export_writes_the_frozen_details_as_the_orm_path_does(
    clock, manager, alice, alice_paid_week
):
    draft = PayrollFilter(period_start=alice_paid_week.period.start_on)
    _change_details(alice)
    assert _both_paths(draft) == "••••4300"

    factories.approve_payout(alice_paid_week, by=manager)
    account_services.payout_details_save(
        profile=alice.contractor_profile,
        method="wise",
        account_holder="Alice",
        account_identifier="alice@example.com",
    )

    assert _both_paths(draft) == "••••4300"


def _both_paths(payroll: PayrollFilter) -> str:
    orm = b"".join(exports.payroll_csv_orm(exports.Kind.SUMMARY, payroll))
    copied = b"".join(exports.payroll_csv_copy(exports.Kind.SUMMARY, payroll))
    assert copied == orm
    header, row = csv.reader(io.StringIO(orm.decode()))
    return dict(zip(header, row, strict=True))["masked_account"]


def _stored_identifier(payout) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT approved_to_identifier FROM payments_payout WHERE id = %s", [payout.pk]
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_payers_are_shown_the_whole_account_frozen_at_approval(
    clock, client, accountant, manager, alice, approved
):
    frozen = PayoutDetails.objects.get(profile__user=alice).account_identifier
    assert approved.approved_to_identifier == frozen
    # Encrypted at rest like the details it was copied from.
    assert frozen not in _stored_identifier(approved) and "3000" not in _stored_identifier(approved)

    _change_details(alice)
    now = PayoutDetails.objects.get(profile__user=alice).account_identifier
    url = reverse("admin:payments_payout_change", args=[approved.pk])
    assert manager.has_perm("payments.pay_payout")
    client.force_login(manager)
    page = html.unescape(client.get(url).content.decode())

    assert "account to pay (frozen at approval)" in page.lower()
    assert frozen in page and now not in page

    paid = factories.pay(approved, by=manager)
    assert paid.approved_to_identifier == frozen
    assert frozen in html.unescape(client.get(url).content.decode())


@pytest.mark.django_db
def test_staff_who_do_not_pay_never_see_the_whole_account(client, alice, approved):
    reader = staff_create("reader@example.com", ACCOUNTANTS)
    reader.user_permissions.add(Permission.objects.get(codename="view_payout"))
    reader = type(reader).objects.get(pk=reader.pk)
    assert not reader.has_perm("payments.pay_payout")
    client.force_login(reader)

    response = client.get(reverse("admin:payments_payout_change", args=[approved.pk]))

    assert response.status_code == 200
    frozen = PayoutDetails.objects.get(profile__user=alice).account_identifier
    assert frozen not in html.unescape(response.content.decode())
    assert "••••3000" in response.content.decode()


@pytest.mark.django_db
def test_a_payout_approved_before_freezing_is_frozen_when_it_is_paid(
    clock, manager, alice, approved
):
    Payout.objects.filter(pk=approved.pk).update(
        approved_to_method="",
        approved_to_holder="",
        approved_to_account="",
        approved_to_identifier="",
    )
    _change_details(alice, holder="Alice Now")
    now = PayoutDetails.objects.get(profile__user=alice).account_identifier

    paid = factories.pay(approved, by=manager)

    assert (paid.approved_to_method, paid.approved_to_holder) == ("bank_transfer", "Alice Now")
    assert (paid.approved_to_account, paid.approved_to_identifier) == ("••••4300", now)
    assert (paid.paid_to_method, paid.paid_to_account) == ("bank_transfer", "••••4300")


@pytest.mark.django_db
def test_a_payout_frozen_without_its_whole_account_gets_it_only_if_the_details_match(
    clock, manager, alice, alice_paid_week
):
    approved = factories.approve_payout(alice_paid_week, by=manager)
    Payout.objects.filter(pk=approved.pk).update(approved_to_identifier="")

    paid = factories.pay(approved, by=manager)

    assert paid.approved_to_account == "••••3000"
    assert paid.approved_to_identifier == (
        PayoutDetails.objects.get(profile__user=alice).account_identifier
    )
